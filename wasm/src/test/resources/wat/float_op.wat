(module (func (export "f") (param i32) (result i32) (i32.trunc_f32_s (f32.convert_i32_s (local.get 0)))))
