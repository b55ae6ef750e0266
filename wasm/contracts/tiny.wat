;; Smallest useful contract: measures call overhead (instantiate + call + return).
(module
  (func (export "ping") (result i32) (i32.const 1))
)
