;; Device-data registry: a device stores its latest reading.
;; Storage: "d" || device -> timestamp[8 LE] || reading;  "n" || device -> number of readings (u64 LE).
;; Entry points:
;;   record(device[32] reading[1..256])  the caller must be the device; emits "reading" (device || timestamp)
;;   latest(device[32])                  returns timestamp[8] || reading; aborts "no reading" if none
;;   count(device[32])                   returns the number of readings as 8 bytes LE
(module
  (import "meshchain" "input_size" (func $input_size (result i32)))
  (import "meshchain" "input_copy" (func $input_copy (param i32)))
  (import "meshchain" "set_return" (func $set_return (param i32 i32)))
  (import "meshchain" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "meshchain" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "meshchain" "caller" (func $caller (param i32)))
  (import "meshchain" "block_timestamp" (func $block_timestamp (result i64)))
  (import "meshchain" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "meshchain" "abort" (func $abort (param i32 i32)))
  (memory 1 1)
  ;; 0 input (<= 288), 320 caller, 400 key, 448 count key, 496 count value, 512 record (8 + 256), 800 event, 1024.. strings
  (data (i32.const 1024) "bad input")
  (data (i32.const 1040) "not the device")
  (data (i32.const 1056) "no reading")
  (data (i32.const 1072) "reading")

  (func $key (param $dst i32) (param $prefix i32)
    (i32.store8 (local.get $dst) (local.get $prefix))
    (i64.store offset=1 (local.get $dst) (i64.load (i32.const 0)))
    (i64.store offset=9 (local.get $dst) (i64.load (i32.const 8)))
    (i64.store offset=17 (local.get $dst) (i64.load (i32.const 16)))
    (i64.store offset=25 (local.get $dst) (i64.load (i32.const 24))))

  (func $input_device
    (if (i32.ne (call $input_size) (i32.const 32))
      (then (call $abort (i32.const 1024) (i32.const 9))))
    (call $input_copy (i32.const 0)))

  (func (export "record")
    (local $len i32) (local $i i32)
    (local.set $len (call $input_size))
    (if (i32.or (i32.lt_u (local.get $len) (i32.const 33)) (i32.gt_u (local.get $len) (i32.const 288)))
      (then (call $abort (i32.const 1024) (i32.const 9))))
    (call $input_copy (i32.const 0))
    (call $caller (i32.const 320))
    (block $ok
      (loop $cmp
        (br_if $ok (i32.eq (local.get $i) (i32.const 32)))
        (if (i32.ne (i32.load8_u (local.get $i)) (i32.load8_u (i32.add (local.get $i) (i32.const 320))))
          (then (call $abort (i32.const 1040) (i32.const 14))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $cmp)))
    (i64.store (i32.const 512) (call $block_timestamp))
    ;; copy the reading (len - 32 bytes) after the timestamp
    (local.set $i (i32.const 32))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8 (i32.add (local.get $i) (i32.const 488)) (i32.load8_u (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (call $key (i32.const 400) (i32.const 0x64))
    (call $storage_write (i32.const 400) (i32.const 33) (i32.const 512) (i32.sub (local.get $len) (i32.const 24)))
    (call $key (i32.const 448) (i32.const 0x6e))
    (if (i32.eq (call $storage_read (i32.const 448) (i32.const 33) (i32.const 496) (i32.const 8)) (i32.const -1))
      (then (i64.store (i32.const 496) (i64.const 0))))
    (i64.store (i32.const 496) (i64.add (i64.load (i32.const 496)) (i64.const 1)))
    (call $storage_write (i32.const 448) (i32.const 33) (i32.const 496) (i32.const 8))
    (call $key (i32.const 799) (i32.const 0))
    (i64.store (i32.const 832) (i64.load (i32.const 512)))
    (call $emit_event (i32.const 1072) (i32.const 7) (i32.const 800) (i32.const 40)))

  (func (export "latest")
    (local $n i32)
    (call $input_device)
    (call $key (i32.const 400) (i32.const 0x64))
    (local.set $n (call $storage_read (i32.const 400) (i32.const 33) (i32.const 512) (i32.const 264)))
    (if (i32.eq (local.get $n) (i32.const -1))
      (then (call $abort (i32.const 1056) (i32.const 10))))
    (call $set_return (i32.const 512) (local.get $n)))

  (func (export "count")
    (call $input_device)
    (call $key (i32.const 448) (i32.const 0x6e))
    (if (i32.eq (call $storage_read (i32.const 448) (i32.const 33) (i32.const 496) (i32.const 8)) (i32.const -1))
      (then (i64.store (i32.const 496) (i64.const 0))))
    (call $set_return (i32.const 496) (i32.const 8)))
)
