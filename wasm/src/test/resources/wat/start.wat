;; A module with a start function: it must run metered, before the entry point.
(module
  (global $g (mut i32) (i32.const 0))
  (func $init (global.set $g (i32.const 41)))
  (start $init)
  (func (export "get") (result i32) (i32.add (global.get $g) (i32.const 1)))
)
