(module (import "meshchain" "memory" (memory 1)) (func (export "f") (result i32) (i32.const 0)))
