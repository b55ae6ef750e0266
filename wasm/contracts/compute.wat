;; Compute-heavy contract for benchmarks (no imports, so the same .wasm runs on GraalWasm, Chicory and V8).
;;   run(n) -> i64       n rounds of xorshift64 mixing with loads and stores over a 64 KiB buffer
;;   fib(n) -> i32       naive recursive Fibonacci (call-heavy)
(module
  (memory 1 1)
  (func (export "run") (param $n i32) (result i64)
    (local $x i64) (local $i i32) (local $acc i64) (local $a i32) (local $v i64)
    (local.set $x (i64.const 0x2545F4914F6CDD1D))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
        (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
        (local.set $a (i32.and (i32.wrap_i64 (local.get $x)) (i32.const 65528)))
        (local.set $v (i64.add (i64.load (local.get $a)) (local.get $x)))
        (i64.store (local.get $a) (local.get $v))
        (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31)) (i64.xor (local.get $v) (i64.extend_i32_u (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
)
