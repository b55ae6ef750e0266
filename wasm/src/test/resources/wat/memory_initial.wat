(module (memory 300) (func (export "f") (result i32) (i32.const 0)))
