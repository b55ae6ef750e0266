(module (memory 1 1) (func (export "f") (memory.fill (i32.const 0) (i32.const 0) (i32.const 10))))
