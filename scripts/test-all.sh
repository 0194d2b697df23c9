#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what it needs, type-checks, then runs the unit
# and integration tests. Integration tests start their own HugeGraph and S3 servers (127.0.0.1,
# free ports) from Maven Central jars and stop them when they finish.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node 22 or newer, fetched from the npm registry when the system's is older (scripts/node.sh).
PATH="$(bash scripts/node.sh bin):$PATH"
export PATH

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

echo "== lint and format (biome.jsonc: each deviation from the recommended rules says why)"
npx biome ci --colors=off .

echo "== type check"
npx tsc -p tsconfig.json --noEmit

echo "== layers (.dependency-cruiser.js: each rule says why)"
npx depcruise functions cli infra --config .dependency-cruiser.js

echo "== tests"
npx jest --ci "$@"
