(module (global $g f32 (f32.const 1.5)) (func (export "f") (result i32) (i32.const 0)))
