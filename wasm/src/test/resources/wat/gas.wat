;; Small functions whose gas is computed by hand in GasExactnessTest.
(module
  (memory 1 3)
  (func (export "const3") (result i32) (i32.add (i32.const 1) (i32.const 2)))
  (func (export "loop") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i))
  (func $id (param $x i32) (result i32) (local.get $x))
  (func (export "call_id") (param $x i32) (result i32) (call $id (local.get $x)))
  (func (export "grow") (param $p i32) (result i32) (memory.grow (local.get $p)))
  (func $rec (export "rec") (param $n i32)
    (if (local.get $n) (then (call $rec (i32.sub (local.get $n) (i32.const 1))))))
)
