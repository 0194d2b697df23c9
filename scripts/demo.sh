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
echo "restore it into an empty graph with:"
echo "  ./bin/hgbr.js restore --from $latest --server $SERVER --graph hugegraph --mode restoring"
