(module (memory 1 257) (func (export "f") (result i32) (i32.const 0)))
