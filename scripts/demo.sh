#!/usr/bin/env bash
# The main job on embedded defaults, from a fresh clone: start a local HugeGraph (assembled from
# Maven Central on first use), load a small sample graph if the graph is empty, back it up with the
# local workflow runner to ./backups, verify the backup, and show what it holds.
#
# Environment: HUGEGRAPH_PORT (default 8080), HGBR_DEMO_ROOT (default ./backups),
#              HGBR_DEMO_KEEP_SERVER=1 leaves the server running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node 22 or newer, fetched from the npm registry when the system's is older (scripts/node.sh).
PATH="$(bash scripts/node.sh bin):$PATH"
export PATH

PORT="${HUGEGRAPH_PORT:-8080}"
ROOT="${HGBR_DEMO_ROOT:-./backups}"
SERVER="http://127.0.0.1:$PORT"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

stop_server() {
  if [ "${HGBR_DEMO_KEEP_SERVER:-0}" != 1 ]; then HUGEGRAPH_PORT="$PORT" bash scripts/hugegraph.sh stop >/dev/null 2>&1 || true; fi
}
trap stop_server EXIT

HUGEGRAPH_PORT="$PORT" bash scripts/hugegraph.sh start
npx tsx scripts/load-sample.ts --server "$SERVER" --graph hugegraph

echo
./bin/hgbr.js backup --server "$SERVER" --graph hugegraph --to "$ROOT"
echo
latest="$(./bin/hgbr.js list --from "$ROOT" --graph hugegraph --json | node -e '
  const l = JSON.parse(require("fs").readFileSync(0, "utf8")).backups.filter((b) => b.state === "complete");
  process.stdout.write(l[l.length - 1].location);')"
./bin/hgbr.js verify --from "$latest"
echo
echo "files in $latest:"
ls -l "$latest"
echo
# The demo's own graph holds the sample, so a restore goes into a second, empty server.
SECOND_PORT=$((PORT + 1))
echo "to restore it, start an empty server on a second port and restore into it:"
echo "  HUGEGRAPH_PORT=$SECOND_PORT npm run hugegraph:start"
echo "  ./bin/hgbr.js restore --from $latest --server http://127.0.0.1:$SECOND_PORT --graph hugegraph"
echo "  HUGEGRAPH_PORT=$SECOND_PORT npm run hugegraph:stop"
if [ "${HGBR_DEMO_KEEP_SERVER:-0}" = 1 ]; then
  echo "the demo's server keeps running at $SERVER; stop it with: HUGEGRAPH_PORT=$PORT npm run hugegraph:stop"
else
  echo "the demo's server at $SERVER is stopped now (HGBR_DEMO_KEEP_SERVER=1 npm run demo keeps it running)"
fi
