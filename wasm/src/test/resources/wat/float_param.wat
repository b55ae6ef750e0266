(module (func (export "f") (param f64) (result i32) (i32.const 0)))
