;; Control flow, branches, loops, recursion and memory operations: instrumented and original must agree.
(module
  (type $binop (func (param i32 i32) (result i32)))
  (memory 1 4)
  (table 4 4 funcref)
  (elem (i32.const 0) $add $sub $mul $div_s)
  (global $counter (mut i32) (i32.const 0))
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
  (func $div_s (type $binop) (i32.div_s (local.get 0) (local.get 1)))

  (func (export "dispatch") (param $op i32) (param $a i32) (param $b i32) (result i32)
    (call_indirect (type $binop) (local.get $a) (local.get $b) (i32.and (local.get $op) (i32.const 3))))

  (func (export "abs") (param $x i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $x) (i32.const 0))
      (then (i32.sub (i32.const 0) (local.get $x)))
      (else (local.get $x))))

  (func (export "collatz") (param $n i64) (result i32)
    (local $steps i32)
    (if (i64.eqz (local.get $n)) (then (return (i32.const -1))))
    (block $done
      (loop $l
        (br_if $done (i64.eq (local.get $n) (i64.const 1)))
        (if (i64.eqz (i64.and (local.get $n) (i64.const 1)))
          (then (local.set $n (i64.shr_u (local.get $n) (i64.const 1))))
          (else (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 3)) (i64.const 1)))))
        (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
        (br $l)))
    (local.get $steps))

  (func (export "switch") (param $x i32) (result i32)
    (block $d
      (block $c
        (block $b
          (block $a
            (br_table $a $b $c $a $d (local.get $x)))
          (return (i32.const 100)))
        (return (i32.const 200)))
      (return (i32.const 300)))
    (i32.const 999))

  (func (export "switch_value") (param $x i32) (result i32)
    (block $out (result i32)
      (block $two (result i32)
        (block $one (result i32)
          (i32.mul (local.get $x) (i32.const 7))
          (br_table $one $two $out (i32.rem_u (local.get $x) (i32.const 3))))
        (i32.add (i32.const 1)))
      (i32.add (i32.const 10))))

  (func (export "nested") (param $x i32) (result i32)
    (local $r i32)
    (block $outer
      (block $mid
        (block $inner
          (br_if $inner (i32.gt_s (local.get $x) (i32.const 10)))
          (local.set $r (i32.const 1))
          (br_if $outer (i32.lt_s (local.get $x) (i32.const 0)))
          (br $mid))
        (local.set $r (i32.const 2))
        (br_if $outer (i32.gt_s (local.get $x) (i32.const 100))))
      (local.set $r (i32.add (local.get $r) (i32.const 10))))
    (local.get $r))

  (func (export "br_to_function") (param $x i32) (result i32)
    (block
      (drop (br_if 1 (i32.const 42) (i32.eqz (local.get $x)))))
    (i32.const 7))

  (func (export "sum_to") (param $n i32) (result i64)
    (local $i i32) (local $s i64)
    (loop $l
      (if (i32.lt_s (local.get $i) (local.get $n))
        (then
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $s (i64.add (local.get $s) (i64.extend_i32_s (local.get $i))))
          (br $l))))
    (local.get $s))

  (func $fact (export "fact") (param $n i64) (result i64)
    (if (result i64) (i64.le_s (local.get $n) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call $fact (i64.sub (local.get $n) (i64.const 1)))))))

  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  (func $even (export "even") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 1)) (else (call $odd (i32.sub (local.get $n) (i32.const 1))))))
  (func $odd (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0)) (else (call $even (i32.sub (local.get $n) (i32.const 1))))))

  (func (export "mem_ops") (param $x i32) (result i64)
    (local $p i32)
    (local.set $p (i32.and (i32.mul (local.get $x) (i32.const 13)) (i32.const 4095)))
    (i64.store (local.get $p) (i64.const 0x0102030405060708))
    (i32.store8 offset=3 (local.get $p) (local.get $x))
    (i32.store16 offset=5 (local.get $p) (i32.const 0xBEEF))
    (i64.add
      (i64.add (i64.load (local.get $p)) (i64.load8_s offset=3 (local.get $p)))
      (i64.add (i64.extend_i32_u (i32.load16_u offset=5 (local.get $p)))
               (i64.extend32_s (i64.load32_u offset=1 (local.get $p))))))

  (func (export "grow") (param $pages i32) (result i32)
    (local $old i32)
    (local.set $old (memory.grow (local.get $pages)))
    (i32.add (i32.mul (local.get $old) (i32.const 1000)) (memory.size)))

  (func (export "select_max") (param $a i64) (param $b i64) (result i64)
    (select (local.get $a) (local.get $b) (i64.gt_s (local.get $a) (local.get $b))))

  (func $pair (param $x i32) (result i32 i32)
    (i32.add (local.get $x) (i32.const 1)) (i32.mul (local.get $x) (i32.const 2)))
  (func (export "multi") (param $x i32) (result i32)
    (block (result i32 i32) (call $pair (local.get $x)))
    (i32.sub))
  (func (export "pair") (param $x i32) (result i32 i32) (call $pair (local.get $x)))

  (func (export "early_return") (param $x i32) (result i32)
    (block
      (loop $l
        (if (i32.gt_u (local.get $x) (i32.const 50)) (then (return (local.get $x))))
        (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 2)) (i32.const 1)))
        (br $l)))
    (i32.const -1))

  (func (export "counter") (param $x i32) (result i32)
    (global.set $counter (i32.add (global.get $counter) (local.get $x)))
    (global.get $counter))

  (func (export "div") (param $a i32) (param $b i32) (result i32) (i32.div_u (local.get $a) (local.get $b)))
  (func (export "trap_if") (param $x i32) (result i32)
    (if (local.get $x) (then unreachable))
    (i32.const 5))
  (func $deep (export "deep") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "spin") (loop $l (br $l)))
  (func (export "oob") (param $p i32) (result i32) (i32.load (local.get $p)))
)
