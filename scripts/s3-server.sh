#!/usr/bin/env bash
# A real S3-compatible server on 127.0.0.1 for tests and demos, run from a jar on Maven Central:
#   s3proxy (default)  org.gaul:s3proxy:<v>:jar:jar-with-dependencies, in-memory "transient" store
#   s3mock             com.adobe.testing:s3mock:<v>:jar:exec (Adobe S3Mock)
# Both need Java 17 or newer. Requests are signed (SigV4) with the dummy credentials printed by `env`.
#
#   scripts/s3-server.sh start    start in the background (pid, log and data under .hgbr/s3/)
#   scripts/s3-server.sh stop     stop it
#   scripts/s3-server.sh status   say whether it runs, and where
#   scripts/s3-server.sh env      print the variables that point the AWS SDK and CLI at it
#   scripts/s3-server.sh jar      print the jar's path, fetching it with Maven first if needed
#   scripts/s3-server.sh run PORT ROOT BUCKET
#                                 run in the foreground; prints "S3-SERVER-READY" once the bucket
#                                 exists; stops on SIGTERM or when stdin closes, so a parent that
#                                 dies (even by SIGKILL) takes the server with it. Used by
#                                 test/support/s3-server.ts.
#
# Environment: HGBR_S3_SERVER (s3proxy | s3mock), HGBR_S3_PORT (9090), HGBR_S3_BUCKET (hgbr),
# S3PROXY_VERSION (4.0.0), S3MOCK_VERSION (5.2.0), JAVA (java on the PATH, else $JAVA_HOME/bin/java),
# MAVEN_REPO (~/.m2/repository).
#
# Why s3proxy by default (measured with S3Mock 5.2.0 and s3proxy 4.0.0 on this project's tests):
# S3Mock does not echo a part's x-amz-checksum-crc32 in its UploadPart response, so the AWS SDK's
# default multipart upload (lib-storage, CRC32 checksums) fails at CompleteMultipartUpload unless
# the client sets AWS_REQUEST_CHECKSUM_CALCULATION=when_required; it also opens a second HTTP
# connector on every interface that cannot be turned off, and starts in 4-8 s against about 2 s.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="$ROOT_DIR/.hgbr/s3"
PID_FILE="$STATE_DIR/server.pid"
LOG_FILE="$STATE_DIR/server.log"
SERVER="${HGBR_S3_SERVER:-s3proxy}"
PORT="${HGBR_S3_PORT:-9090}"
BUCKET="${HGBR_S3_BUCKET:-hgbr}"
MAVEN_REPO="${MAVEN_REPO:-$HOME/.m2/repository}"
ACCESS_KEY=hgbr-test
SECRET_KEY=hgbr-test
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
READY=S3-SERVER-READY

die() { echo "s3-server: $*" >&2; exit 1; }

case "$SERVER" in
  s3proxy)
    VERSION="${S3PROXY_VERSION:-4.0.0}"
    ARTIFACT="org.gaul:s3proxy:$VERSION:jar:jar-with-dependencies"
    JAR="$MAVEN_REPO/org/gaul/s3proxy/$VERSION/s3proxy-$VERSION-jar-with-dependencies.jar" ;;
  s3mock)
    VERSION="${S3MOCK_VERSION:-5.2.0}"
    ARTIFACT="com.adobe.testing:s3mock:$VERSION:jar:exec"
    JAR="$MAVEN_REPO/com/adobe/testing/s3mock/$VERSION/s3mock-$VERSION-exec.jar" ;;
  *) die "HGBR_S3_SERVER must be s3proxy or s3mock, not $SERVER" ;;
esac

java_bin() {
  local java="${JAVA:-}"
  if [[ -z "$java" ]]; then
    if command -v java >/dev/null; then java=java; elif [[ -n "${JAVA_HOME:-}" ]]; then java="$JAVA_HOME/bin/java"; fi
  fi
  [[ -n "$java" ]] || die "no java found; install Java 17 or newer, or set JAVA"
  local major
  major="$("$java" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1)"
  [[ -n "$major" && "$major" -ge 17 ]] || die "$java is Java ${major:-?}; $SERVER $VERSION needs 17 or newer (set JAVA)"
  echo "$java"
}

jar_path() {
  if [[ ! -s "$JAR" ]]; then
    command -v mvn >/dev/null || die "$JAR is missing and mvn is not installed to fetch it"
    mkdir -p "$MAVEN_REPO"
    # Several test workers may ask at once: one fetches, the others wait for it.
    (
      flock 9
      [[ -s "$JAR" ]] || mvn -B -q dependency:get -Dtransitive=false -Dartifact="$ARTIFACT" >&2
    ) 9>"$MAVEN_REPO/.hgbr-s3-server.lock" || die "could not fetch $ARTIFACT from Maven Central"
  fi
  echo "$JAR"
}

# Sets SERVER_CMD to the server's command line; ROOT is a directory the server may own.
build_command() {
  local port=$1 root=$2 java jar
  java="$(java_bin)"
  jar="$(jar_path)"
  mkdir -p "$root"
  # C1 only and the serial collector: the JVM starts faster and there is no heavy work to do.
  SERVER_CMD=("$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx1g -jar "$jar")
  if [[ "$SERVER" == s3proxy ]]; then
    cat >"$root/s3proxy.conf" <<EOF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$ACCESS_KEY
s3proxy.credential=$SECRET_KEY
jclouds.provider=transient
jclouds.identity=$ACCESS_KEY
jclouds.credential=$SECRET_KEY
EOF
    SERVER_CMD+=(--properties "$root/s3proxy.conf")
  else
    # http.port=0: S3Mock always adds this second connector, on every interface; a random port
    # keeps it out of the way. Its main connector, made plain HTTP, is the one bound to 127.0.0.1.
    SERVER_CMD+=(--server.address=127.0.0.1 --server.port="$port" --server.ssl.enabled=false --http.port=0
      --com.adobe.testing.s3mock.store.root="$root/data"
      --com.adobe.testing.s3mock.max-payload-size=64MB
      --logging.level.root=WARN --spring.main.banner-mode=off)
  fi
}

# A SigV4-signed request to the server; prints the HTTP status (000 when nothing answers).
s3_request() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$ACCESS_KEY:$SECRET_KEY" -H "x-amz-content-sha256: $EMPTY_SHA256" "$@" || true
}

# Waits until the server answers, and creates the bucket.
await_bucket() {
  local port=$1 bucket=$2 pid=$3 status
  for _ in $(seq 1 1800); do
    kill -0 "$pid" 2>/dev/null || return 1
    status="$(s3_request -I "http://127.0.0.1:$port/$bucket")"
    case "$status" in
      200) return 0 ;;
      404) s3_request -X PUT "http://127.0.0.1:$port/$bucket" >/dev/null ;;
      *) sleep 0.1 ;;
    esac
  done
  return 1
}

is_running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

cmd_start() {
  if is_running; then cmd_status; return 0; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then die "port $PORT is taken; set HGBR_S3_PORT"; fi
  rm -rf "$STATE_DIR/data"
  build_command "$PORT" "$STATE_DIR/data"
  local started=$SECONDS
  setsid nohup "${SERVER_CMD[@]}" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  if ! await_bucket "$PORT" "$BUCKET" "$(cat "$PID_FILE")"; then
    tail -n 30 "$LOG_FILE" >&2
    cmd_stop >/dev/null
    die "$SERVER did not come up; log: $LOG_FILE"
  fi
  echo "$SERVER $VERSION runs at http://127.0.0.1:$PORT (bucket $BUCKET, pid $(cat "$PID_FILE"), up in $((SECONDS - started)) s)"
  echo "point clients at it with: eval \"\$(scripts/s3-server.sh env)\""
}

cmd_stop() {
  if ! is_running; then rm -f "$PID_FILE"; echo "the S3 server is not running"; return 0; fi
  local pid
  pid="$(cat "$PID_FILE")"
  kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$PID_FILE"
  rm -rf "$STATE_DIR/data"
  echo "the S3 server stopped"
}

cmd_status() {
  if is_running; then echo "the S3 server runs (pid $(cat "$PID_FILE")) at http://127.0.0.1:$PORT, bucket $BUCKET"
  else echo "the S3 server is not running"; return 3; fi
}

cmd_env() {
  cat <<EOF
export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$PORT
export AWS_ACCESS_KEY_ID=$ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SECRET_KEY AWS_REGION=us-east-1
export HGBR_S3_BUCKET=$BUCKET
EOF
  [[ "$SERVER" == s3mock ]] && echo "export AWS_REQUEST_CHECKSUM_CALCULATION=when_required"
  return 0
}

cmd_run() {
  [[ $# -eq 3 ]] || die "usage: $0 run PORT ROOT BUCKET"
  local port=$1 root=$2 bucket=$3
  build_command "$port" "$root"
  exec 3<&0
  "${SERVER_CMD[@]}" </dev/null >&2 &
  local pid=$!
  trap 'kill -TERM $pid 2>/dev/null || true' TERM INT HUP
  # Reads until the parent closes our stdin (or dies), then stops the server.
  (while read -r -u 3 _; do :; done; kill -TERM "$pid" 2>/dev/null || true) &
  local watcher=$!
  exec 3<&-
  if await_bucket "$port" "$bucket" "$pid"; then echo "$READY"; fi
  local status=0
  while kill -0 "$pid" 2>/dev/null; do wait "$pid" || status=$?; done
  kill "$watcher" 2>/dev/null || true
  if [[ "$root" == "$STATE_DIR"/* ]]; then rm -rf "$root"; fi # only what this script owns
  return "$status"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  jar) jar_path ;;
  run) shift; cmd_run "$@" ;;
  *) die "usage: $0 start|stop|status|env|jar|run PORT ROOT BUCKET" ;;
esac
