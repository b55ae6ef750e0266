// Compiles .wat files to .wasm next to them with the wabt npm package (see build.sh).
const fs = require('fs');
const path = require('path');
require(path.join(process.env.WABT_DIR, 'node_modules', 'wabt'))().then(wabt => {
  for (const f of process.argv.slice(2)) {
    const m = wabt.parseWat(f, fs.readFileSync(f, 'utf8'), { multi_value: true, sign_extension: true });
    m.resolveNames();
    m.validate();
    const { buffer } = m.toBinary({ write_debug_names: false, canonicalize_lebs: true });
    fs.writeFileSync(f.replace(/\.wat$/, '.wasm'), Buffer.from(buffer));
    m.destroy();
  }
}).catch(e => { console.error(e.message || e); process.exit(1); });
