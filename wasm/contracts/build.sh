#!/usr/bin/env bash
# Regenerates every .wasm next to its .wat source: the example contracts here and the test modules in
# ../src/test/resources/wat. Needs node and network once (npm install wabt into a temp dir); the build and
# the tests never do: the .wasm files are committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
WABT_DIR="${WABT_DIR:-$(mktemp -d)}"
if [ ! -d "$WABT_DIR/node_modules/wabt" ]; then
  (cd "$WABT_DIR" && npm install --silent --no-audit --no-fund wabt@1.0.39 >/dev/null)
fi
export WABT_DIR
node "$here/wat2wasm.js" "$here"/*.wat "$here"/../src/test/resources/wat/*.wat
echo "compiled: $(ls "$here"/*.wasm "$here"/../src/test/resources/wat/*.wasm | wc -l) modules"
