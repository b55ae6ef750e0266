;; Exercises every host function; used by HostApiTest.
(module
  (import "meshchain" "input_size" (func $input_size (result i32)))
  (import "meshchain" "input_copy" (func $input_copy (param i32)))
  (import "meshchain" "set_return" (func $set_return (param i32 i32)))
  (import "meshchain" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "meshchain" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "meshchain" "storage_delete" (func $storage_delete (param i32 i32) (result i32)))
  (import "meshchain" "balance" (func $balance (param i32) (result i64)))
  (import "meshchain" "transfer" (func $transfer (param i32 i64) (result i32)))
  (import "meshchain" "block_height" (func $block_height (result i64)))
  (import "meshchain" "block_timestamp" (func $block_timestamp (result i64)))
  (import "meshchain" "caller" (func $caller (param i32)))
  (import "meshchain" "self_address" (func $self_address (param i32)))
  (import "meshchain" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "meshchain" "sha256" (func $sha256 (param i32 i32 i32)))
  (import "meshchain" "ed25519_verify" (func $ed25519_verify (param i32 i32 i32 i32) (result i32)))
  (import "meshchain" "abort" (func $abort (param i32 i32)))
  (memory 1 1)
  (data (i32.const 1000) "boom")
  (func (export "height") (result i64) (call $block_height))
  (func (export "timestamp") (result i64) (call $block_timestamp))
  ;; returns caller || self
  (func (export "who") (call $caller (i32.const 0)) (call $self_address (i32.const 32)) (call $set_return (i32.const 0) (i32.const 64)))
  ;; input = key; writes input as value under key "k" || ... : key = input, value = input reversed? value = input
  (func (export "put") (call $input_copy (i32.const 0)) (call $storage_write (i32.const 0) (call $input_size) (i32.const 0) (call $input_size)))
  ;; input = key; returns the value (cap 256) and the length as i32 result
  (func (export "get") (result i32)
    (local $n i32)
    (call $input_copy (i32.const 0))
    (local.set $n (call $storage_read (i32.const 0) (call $input_size) (i32.const 512) (i32.const 256)))
    (if (i32.ge_s (local.get $n) (i32.const 0)) (then (call $set_return (i32.const 512) (local.get $n))))
    (local.get $n))
  (func (export "del") (result i32) (call $input_copy (i32.const 0)) (call $storage_delete (i32.const 0) (call $input_size)))
  ;; input = address; returns its balance
  (func (export "bal") (result i64) (call $input_copy (i32.const 0)) (call $balance (i32.const 0)))
  ;; input = to address; transfers the amount argument from the contract
  (func (export "pay") (param $amount i64) (result i32) (call $input_copy (i32.const 0)) (call $transfer (i32.const 0) (local.get $amount)))
  ;; returns sha256(input)
  (func (export "hash") (call $input_copy (i32.const 0)) (call $sha256 (i32.const 0) (call $input_size) (i32.const 2048)) (call $set_return (i32.const 2048) (i32.const 32)))
  ;; input = pub[32] || sig[64] || msg
  (func (export "verify") (result i32)
    (call $input_copy (i32.const 0))
    (call $ed25519_verify (i32.const 96) (i32.sub (call $input_size) (i32.const 96)) (i32.const 0) (i32.const 32)))
  ;; emits topic "t" with the input as data, then aborts if the argument is non-zero
  (func (export "emit") (param $fail i32)
    (call $input_copy (i32.const 0))
    (i32.store8 (i32.const 3000) (i32.const 0x74))
    (call $emit_event (i32.const 3000) (i32.const 1) (i32.const 0) (call $input_size))
    (if (local.get $fail) (then (call $abort (i32.const 1000) (i32.const 4)))))
  ;; writes key "w" then traps: the write must not survive
  (func (export "write_then_trap")
    (i32.store8 (i32.const 0) (i32.const 0x77))
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
    unreachable)
  ;; host reads outside memory
  (func (export "bad_ptr") (call $sha256 (i32.const 65530) (i32.const 100) (i32.const 0)))
  (func (export "bad_out") (call $caller (i32.const 65510)))
)
