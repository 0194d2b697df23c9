#!/usr/bin/env bash
# Run a real Apache HugeGraph server for development and tests, assembled from Maven Central jars
# (no Docker, no tarball), bound to 127.0.0.1 only. Background: docs/hugegraph-api.md §7.
# Java 17 works with two adjustments made here: a Java-17-compatible org.apache.hugegraph.util.Reflection
# shadows HugeGraph's (needed for auth), and Gremlin/Groovy scripts do not work (REST is unaffected).
#
# Usage: scripts/hugegraph.sh <command>
#   start     resolve jars (first time only), write configs, init the store (once per data dir),
#             start the server in the background and wait until GET /versions answers 200.
#             Idempotent: if this HUGEGRAPH_HOME's server already runs, says so and exits 0.
#   stop      stop the server of this HUGEGRAPH_HOME (SIGTERM, then SIGKILL after a timeout) and wait.
#   restart   stop + start (data is kept).
#   status    exit 0 and print pid/url when running, exit 3 when not.
#   init      resolve + write configs + init store, without starting.
#   resolve   only resolve the classpath and extract the conf templates for HUGEGRAPH_VERSION.
#   classpath print the ordered classpath (one jar per line).
#   logs      print the tail of the server logs.
#   clean     stop, then delete HUGEGRAPH_HOME (all data and logs).
#   url       print the REST base URL.
#
# Environment:
#   HUGEGRAPH_VERSION        server release (default 1.5.0; 1.0.0, 1.2.0, 1.3.0, 1.5.0, 1.7.0 start on Java 17)
#   HUGEGRAPH_LAUNCHER_VERSION  for 1.2.0/1.3.0 only: dist module giving launcher + conf (default 1.0.0;
#                            1.5.0's launcher does not work with 1.3.0: NoSuchFieldError JVM_MEMORY_MONITOR_THRESHOLD)
#   HUGEGRAPH_PORT           REST port on 127.0.0.1 (default 8080)
#   HUGEGRAPH_GREMLIN_PORT   Gremlin server port (default: PORT+102, i.e. 8182 for 8080, or the next free one)
#   HUGEGRAPH_HOME           working dir: conf/, logs/, rocksdb-data/, pid file
#                            (default <repo>/.hgbr/hugegraph/<version>-<port>, git-ignored)
#   HUGEGRAPH_BACKEND        rocksdb (default) | memory
#   HUGEGRAPH_AUTH_PASSWORD  when set, auth is on and user 'admin' has this password
#   HUGEGRAPH_SYNC_DELETION  true -> task.sync_deletion=true (schema deletions run synchronously)
#   HUGEGRAPH_HEAP           max heap (default 2g)
#   HUGEGRAPH_JAVA           java binary (default $JAVA_HOME/bin/java or java); must be 11..23
#   HUGEGRAPH_JAVA_OPTS      extra JVM options
#   HUGEGRAPH_START_TIMEOUT  seconds to wait for /versions (default 180)
#   HUGEGRAPH_REST_CONF_EXTRA / HUGEGRAPH_GRAPH_CONF_EXTRA
#                            extra "key=value" lines (newline separated) for rest-server.properties /
#                            graphs/hugegraph.properties
#   HUGEGRAPH_OWNER_PID      stop the server when this process dies (a detached watchdog; used by tests)
#   HUGEGRAPH_DELETE_HOME_ON_ORPHAN=1  ... and then delete HUGEGRAPH_HOME
#   HUGEGRAPH_IMPORT_BOM     1 (default): import the release's hugegraph-server dependencyManagement so
#                            transitive versions match the official tarball; 0: plain Maven mediation
#   HGBR_STATE_DIR           root of generated state (default <repo>/.hgbr)
#
# Exit codes: 0 ok, 1 error, 3 not running (status), 4 REST or Gremlin port already in use.

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

VERSION="${HUGEGRAPH_VERSION:-1.5.0}"
PORT="${HUGEGRAPH_PORT:-8080}"
BACKEND="${HUGEGRAPH_BACKEND:-rocksdb}"
STATE_DIR="${HGBR_STATE_DIR:-$REPO_ROOT/.hgbr}"
HG_HOME="${HUGEGRAPH_HOME:-$STATE_DIR/hugegraph/$VERSION-$PORT}"
DIST_DIR="$STATE_DIR/hugegraph/dist/$VERSION"
HEAP="${HUGEGRAPH_HEAP:-2g}"
START_TIMEOUT="${HUGEGRAPH_START_TIMEOUT:-180}"
STOP_TIMEOUT="${HUGEGRAPH_STOP_TIMEOUT:-60}"
IMPORT_BOM="${HUGEGRAPH_IMPORT_BOM:-1}"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
LAUNCHER_VERSION="${HUGEGRAPH_LAUNCHER_VERSION:-1.0.0}"
URL="http://127.0.0.1:$PORT"
PID_FILE="$HG_HOME/hugegraph.pid"

log() { echo "[hugegraph.sh] $*" >&2; }
die() { log "ERROR: $1"; exit "${2:-1}"; }

[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "HUGEGRAPH_VERSION must look like 1.5.0, got '$VERSION'"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "HUGEGRAPH_PORT must be a number, got '$PORT'"
case "$BACKEND" in rocksdb|memory) ;; *) die "HUGEGRAPH_BACKEND must be rocksdb or memory, got '$BACKEND'";; esac
command -v curl >/dev/null || die "curl is required"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# version compare: ver_ge 1.7.0 1.5.0 -> true
ver_ge() { [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" == "$2" ]]; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

java_bin() {
  if [[ -n "${HUGEGRAPH_JAVA:-}" ]]; then echo "$HUGEGRAPH_JAVA"
  elif [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"
  else echo java; fi
}

java_major() {
  local v
  v="$("$(java_bin)" -version 2>&1 | awk -F'"' '/version/ && v == "" { v = $2 } END { print v }')"
  v="${v#1.}"
  echo "${v%%[.+-]*}"
}

check_java() {
  JAVA="$(java_bin)"
  command -v "$JAVA" >/dev/null || die "java not found ($JAVA); install OpenJDK 11 or 17"
  JAVA_MAJOR="$(java_major)"
  [[ "$JAVA_MAJOR" =~ ^[0-9]+$ ]] || die "cannot tell the version of $JAVA"
  if (( JAVA_MAJOR >= 24 )); then
    die "$JAVA is Java $JAVA_MAJOR; HugeGraph calls System.setSecurityManager and fails on Java >= 24. Use Java 11 or 17 (HUGEGRAPH_JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java)."
  fi
  (( JAVA_MAJOR >= 11 )) || die "$JAVA is Java $JAVA_MAJOR; HugeGraph >= 1.5 needs Java 11+"
}

# ---------------------------------------------------------------------------------------------
# Classpath resolution (Maven Central -> ~/.m2), cached per version in $DIST_DIR/classpath.txt
# ---------------------------------------------------------------------------------------------

# LAYOUT=dist: hugegraph-dist:<VERSION> on Central is the server's dist module (1.0.0, 1.5.0, 1.7.0).
# LAYOUT=hybrid: on Central hugegraph-dist 1.2.0 and 1.3.0 are the *toolchain's* (empty) dist module,
# a coordinate clash; the server's dist (launcher classes + conf) was never published for them. Then
# depend on the server modules of <VERSION> (what the dist module depends on) and take only the thin
# launcher (HugeGraphServer, InitStore, RegisterUtil) and the conf templates from hugegraph-dist
# $LAUNCHER_VERSION, without its dependencies.
write_pom() {
  local layout="$1" parent repos="" bom="" deps
  # The published parent of the server modules: hugegraph-server from 1.2 on, the root pom before.
  if ver_ge "$VERSION" 1.2.0; then parent=hugegraph-server; else parent=hugegraph; fi
  if [[ "$IMPORT_BOM" == 1 ]]; then
    bom="
  <dependencyManagement><dependencies>
    <dependency><groupId>org.apache.hugegraph</groupId><artifactId>$parent</artifactId><version>$VERSION</version><type>pom</type><scope>import</scope></dependency>
  </dependencies></dependencyManagement>"
  fi
  # 1.7.0: hugegraph-struct's published pom has <parent><version>${revision}</version> (not flattened),
  # so Maven looks for org.apache.hugegraph:hugegraph:pom:${revision}, which Central does not have.
  # Serve the real root pom (whose own <version> is ${revision} with revision=<VERSION>) under that
  # literal coordinate from a local file repository. Both spellings of the directory are needed:
  # the file wagon asks for the URL-encoded path.
  if ver_ge "$VERSION" 1.7.0; then
    local shim="$DIST_DIR/shim" rootpom d
    rootpom="$(fetch_root_pom)"
    for d in '${revision}' '$%7Brevision%7D'; do
      mkdir -p "$shim/org/apache/hugegraph/hugegraph/$d"
      cp "$rootpom" "$shim/org/apache/hugegraph/hugegraph/$d/hugegraph-$d.pom"
    done
    repos="
  <repositories>
    <repository><id>hgbr-revision-shim</id><url>file://$shim</url>
      <releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>
      <snapshots><enabled>false</enabled></snapshots></repository>
  </repositories>"
  fi
  if [[ "$layout" == dist ]]; then
    deps="
    <dependency><groupId>org.apache.hugegraph</groupId><artifactId>hugegraph-dist</artifactId><version>$VERSION</version></dependency>"
  else
    local m ex
    deps=""
    for m in core api cassandra scylladb rocksdb mysql palo hbase postgresql; do
      case "$m" in
        core|cassandra) ex="<exclusions><exclusion><groupId>io.dropwizard.metrics</groupId><artifactId>metrics-core</artifactId></exclusion></exclusions>" ;;
        api) ex="<exclusions><exclusion><groupId>com.codahale.metrics</groupId><artifactId>metrics-core</artifactId></exclusion></exclusions>" ;;
        *) ex="" ;;
      esac
      deps+="
    <dependency><groupId>org.apache.hugegraph</groupId><artifactId>hugegraph-$m</artifactId><version>$VERSION</version>$ex</dependency>"
    done
    deps+="
    <dependency><groupId>org.apache.tinkerpop</groupId><artifactId>gremlin-console</artifactId>
      <exclusions><exclusion><groupId>com.github.jeremyh</groupId><artifactId>jBCrypt</artifactId></exclusion></exclusions></dependency>
    <dependency><groupId>org.apache.hugegraph</groupId><artifactId>hugegraph-dist</artifactId><version>$LAUNCHER_VERSION</version>
      <exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>"
  fi
  cat > "$DIST_DIR/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/hugegraph.sh (layout: $layout); throw-away pom used only to resolve the server classpath. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>hgbr.local</groupId>
  <artifactId>hugegraph-server-classpath</artifactId>
  <version>$VERSION</version>
  <packaging>pom</packaging>$repos$bom
  <dependencies>$deps
  </dependencies>
</project>
EOF
}

# The root pom org.apache.hugegraph:hugegraph:<VERSION>, from ~/.m2 or Maven Central.
fetch_root_pom() {
  local m2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
  local f="$m2/org/apache/hugegraph/hugegraph/$VERSION/hugegraph-$VERSION.pom"
  if [[ ! -s "$f" ]]; then
    mvn -B -q "$DEP_PLUGIN:get" -Dartifact="org.apache.hugegraph:hugegraph:$VERSION:pom" -Dtransitive=false \
      >"$DIST_DIR/mvn-rootpom.log" 2>&1 || die "could not fetch org.apache.hugegraph:hugegraph:$VERSION:pom (see $DIST_DIR/mvn-rootpom.log)"
  fi
  [[ -s "$f" ]] || die "root pom not found at $f"
  echo "$f"
}

run_mvn_classpath() {
  local raw="$DIST_DIR/classpath.raw"
  rm -f "$raw"
  local args=(-B -f "$DIST_DIR/pom.xml" "$DEP_PLUGIN:build-classpath" -DincludeScope=runtime "-Dmdep.outputFile=$raw")
  if mvn -o "${args[@]}" >"$DIST_DIR/mvn.log" 2>&1 && [[ -s "$raw" ]]; then return 0; fi
  log "resolving org.apache.hugegraph:hugegraph-dist:$VERSION from Maven Central (first run only; ~1-2 min)"
  # -U: forget cached "not found" results (e.g. from an earlier attempt without the shim repository)
  if mvn -U "${args[@]}" >"$DIST_DIR/mvn.log" 2>&1 && [[ -s "$raw" ]]; then return 0; fi
  grep -E 'ERROR|BUILD' "$DIST_DIR/mvn.log" | head -20 >&2 || true
  die "Maven could not resolve hugegraph-dist:$VERSION (full log: $DIST_DIR/mvn.log)"
}

# Order like bin/hugegraph-server.sh: log4j-slf4j-impl first, then hugegraph*.jar sorted, then the
# rest sorted. Never an unordered wildcard: 1.7.0 has classes duplicated between hugegraph-core and
# hugegraph-struct, and core must win.
order_classpath() {
  tr ':' '\n' < "$DIST_DIR/classpath.raw" | sed '/^$/d' | awk -F/ '{ print $NF "\t" $0 }' | LC_ALL=C sort |
    awk -F'\t' '
      $1 ~ /^log4j-slf4j-impl/ { a[++na] = $2; next }
      $1 ~ /^hugegraph/        { b[++nb] = $2; next }
                               { c[++nc] = $2 }
      END { for (i = 1; i <= na; i++) print a[i]; for (i = 1; i <= nb; i++) print b[i]; for (i = 1; i <= nc; i++) print c[i] }'
}

classpath_ok() {
  [[ -s "$DIST_DIR/classpath.txt" && -d "$DIST_DIR/template/conf" ]] || return 1
  case "$(cat "$DIST_DIR/layout" 2>/dev/null)" in
    dist) ;;
    "hybrid $LAUNCHER_VERSION") ;;
    *) return 1 ;;
  esac
  local j
  while IFS= read -r j; do [[ -f "$j" ]] || return 1; done < "$DIST_DIR/classpath.txt"
}

resolve() {
  mkdir -p "$DIST_DIR"
  classpath_ok && return 0
  exec 8>"$DIST_DIR/.lock"
  flock 8
  if ! classpath_ok; then
    command -v mvn >/dev/null || die "mvn (Apache Maven) is required to assemble the server"
    local t0 layout=dist dist
    t0="$(now)"
    rm -rf "$DIST_DIR/patch"
    write_pom dist
    run_mvn_classpath
    order_classpath > "$DIST_DIR/classpath.tmp"
    dist="$(grep -E "/hugegraph-dist-$VERSION\.jar$" "$DIST_DIR/classpath.tmp" | head -1 || true)"
    if [[ -z "$dist" ]] || ! unzip -l "$dist" 'org/apache/hugegraph/dist/HugeGraphServer.class' >/dev/null 2>&1; then
      log "org.apache.hugegraph:hugegraph-dist:$VERSION on Maven Central is not the server's dist module (toolchain name clash): using the $VERSION server modules with the launcher and conf of hugegraph-dist:$LAUNCHER_VERSION"
      layout=hybrid
      write_pom hybrid
      run_mvn_classpath
      order_classpath > "$DIST_DIR/classpath.tmp"
      dist="$(grep -E "/hugegraph-dist-$LAUNCHER_VERSION\.jar$" "$DIST_DIR/classpath.tmp" | head -1 || true)"
      [[ -n "$dist" ]] || die "hugegraph-dist-$LAUNCHER_VERSION.jar missing from the resolved classpath"
      # The launcher's backend.properties lists hstore (added in 1.5); register only what <VERSION> has.
      mkdir -p "$DIST_DIR/patch"
      echo 'backends=[cassandra, scylladb, rocksdb, mysql, palo, hbase, postgresql]' > "$DIST_DIR/patch/backend.properties"
    fi
    rm -rf "$DIST_DIR/template"
    mkdir -p "$DIST_DIR/template"
    unzip -q -o "$dist" 'conf/*' 'scripts/*' -d "$DIST_DIR/template"
    [[ -f "$DIST_DIR/template/conf/rest-server.properties" ]] || die "no conf/ in $dist"
    if [[ "$layout" == hybrid ]]; then echo "hybrid $LAUNCHER_VERSION" > "$DIST_DIR/layout"; else echo dist > "$DIST_DIR/layout"; fi
    mv "$DIST_DIR/classpath.tmp" "$DIST_DIR/classpath.txt"
    log "resolved $(wc -l < "$DIST_DIR/classpath.txt") jars for $VERSION ($layout layout) in $(elapsed "$t0")s"
  fi
  flock -u 8
  exec 8>&-
}

# $DIST_DIR/patch comes first on the classpath: a backend.properties (hybrid layout) and, on Java 12+,
# a replacement org.apache.hugegraph.util.Reflection (see build_patch).
classpath() {
  if [[ -d "$DIST_DIR/patch" ]]; then printf '%s:' "$DIST_DIR/patch"; fi
  paste -sd: "$DIST_DIR/classpath.txt"
}

# HugeGraph's org.apache.hugegraph.util.Reflection (hugegraph-core, all releases up to 1.7.0) looks up
# jdk.internal.reflect.Reflection.register{Fields,Methods}ToFilter(Class, String[]). Since JDK 12 these
# take a Set<String>, so on Java 17 HugeFactoryAuthProxy's static initialiser throws
# "Not support Reflection.registerMethodsToFilterMethod()" and auth mode cannot start (InitStore fails).
# Compile a drop-in replacement with the same public API that uses whichever signature the JDK has.
# It keeps the original's behaviour otherwise (a failing registration is still an error).
build_patch() {
  (( JAVA_MAJOR >= 12 )) || return 0
  local out="$DIST_DIR/patch" marker="$DIST_DIR/patch/.reflection-java$JAVA_MAJOR"
  [[ -f "$marker" ]] && return 0
  exec 7>"$DIST_DIR/.patch.lock"
  flock 7
  if [[ -f "$marker" ]]; then flock -u 7; exec 7>&-; return 0; fi
  local javac="${JAVA%java}javac"
  [[ "$javac" == */* ]] || javac=javac
  command -v "$javac" >/dev/null || die "javac not found next to $JAVA (a JDK, not a JRE, is needed on Java $JAVA_MAJOR to patch HugeGraph's Reflection class)"
  local src="$DIST_DIR/patch-src/org/apache/hugegraph/util"
  mkdir -p "$src" "$out"
  cat > "$src/Reflection.java" <<'JAVA'
package org.apache.hugegraph.util;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

import org.apache.hugegraph.HugeException;
import org.apache.hugegraph.exception.NotSupportException;
import org.slf4j.Logger;

/**
 * Written by hgbr's scripts/hugegraph.sh: HugeGraph's Reflection with JDK 12+ support
 * (register*ToFilter(Class, Set<String>)); falls back to the JDK 11 (Class, String[]) form.
 */
public class Reflection {

    private static final Logger LOG = Log.logger(Reflection.class);

    public static final String JDK_INTERNAL_REFLECT_REFLECTION = "jdk.internal.reflect.Reflection";
    public static final String SUN_REFLECT_REFLECTION = "sun.reflect.Reflection";

    private static final Method REGISTER_FIELDS_TO_FILTER_METHOD;
    private static final Method REGISTER_METHODS_TO_FILTER_METHOD;
    private static final boolean SET_SIGNATURE;

    static {
        Class<?> clazz = null;
        Method fields = null;
        Method methods = null;
        boolean set = false;
        try {
            clazz = Class.forName(JDK_INTERNAL_REFLECT_REFLECTION);
        } catch (ClassNotFoundException e) {
            try {
                clazz = Class.forName(SUN_REFLECT_REFLECTION);
            } catch (ClassNotFoundException ex) {
                LOG.error("Can't find Reflection class", ex);
            }
        }
        if (clazz != null) {
            try {
                fields = clazz.getMethod("registerFieldsToFilter", Class.class, Set.class);
                methods = clazz.getMethod("registerMethodsToFilter", Class.class, Set.class);
                set = true;
            } catch (NoSuchMethodException e) {
                try {
                    fields = clazz.getMethod("registerFieldsToFilter", Class.class, String[].class);
                    methods = clazz.getMethod("registerMethodsToFilter", Class.class, String[].class);
                } catch (NoSuchMethodException ex) {
                    LOG.error("Can't find reflection filter methods", ex);
                }
            }
        }
        REGISTER_FIELDS_TO_FILTER_METHOD = fields;
        REGISTER_METHODS_TO_FILTER_METHOD = methods;
        SET_SIGNATURE = set;
    }

    public static void registerFieldsToFilter(Class<?> containingClass, String... fieldNames) {
        register(REGISTER_FIELDS_TO_FILTER_METHOD, "Fields", containingClass, fieldNames);
    }

    public static void registerMethodsToFilter(Class<?> containingClass, String... methodNames) {
        register(REGISTER_METHODS_TO_FILTER_METHOD, "Methods", containingClass, methodNames);
    }

    private static void register(Method method, String what, Class<?> clazz, String[] names) {
        if (method == null) {
            throw new NotSupportException("Reflection.register" + what + "ToFilter()");
        }
        Object arg = SET_SIGNATURE ? new LinkedHashSet<>(Arrays.asList(names)) : names;
        try {
            method.invoke(null, clazz, arg);
        } catch (IllegalAccessException | InvocationTargetException e) {
            Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
            throw new HugeException("Failed to register class '%s' %s to filter: %s", cause,
                                    clazz, what.toLowerCase(), Arrays.toString(names));
        }
    }

    public static Class<?> loadClass(String clazz) {
        try {
            return Class.forName(clazz);
        } catch (ClassNotFoundException e) {
            throw new HugeException(e.getMessage(), e);
        }
    }
}
JAVA
  rm -rf "$out/org"
  if ! "$javac" -nowarn --release 11 -cp "$(paste -sd: "$DIST_DIR/classpath.txt")" -d "$out" "$src/Reflection.java" \
       > "$DIST_DIR/patch-javac.log" 2>&1; then
    cat "$DIST_DIR/patch-javac.log" >&2
    die "could not compile the Reflection patch"
  fi
  touch "$marker"
  flock -u 7
  exec 7>&-
}

# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------

# set_prop FILE KEY VALUE: drop every line (commented or not) for KEY, append KEY=VALUE.
set_prop() {
  local file="$1" key="$2" value="$3" k
  k="$(printf '%s' "$key" | sed 's/[.[\*^$/]/\\&/g')"
  sed -i -E "/^[#[:space:]]*${k}[[:space:]]*=/d" "$file"
  printf '%s=%s\n' "$key" "$value" >> "$file"
}
del_prop() {
  local k
  k="$(printf '%s' "$2" | sed 's/[.[\*^$/]/\\&/g')"
  sed -i -E "/^[[:space:]]*${k}[[:space:]]*=/d" "$1"
}
apply_extra() {
  local file="$1" lines="$2" line
  while IFS= read -r line; do
    [[ -z "${line// }" || "$line" == \#* ]] && continue
    [[ "$line" == *=* ]] || die "bad extra config line (want key=value): $line"
    set_prop "$file" "${line%%=*}" "${line#*=}"
  done <<< "$lines"
}

gremlin_port() {
  if [[ -n "${HUGEGRAPH_GREMLIN_PORT:-}" ]]; then echo "$HUGEGRAPH_GREMLIN_PORT"; return; fi
  local p=$((PORT + 102)) i
  (( p > 65535 )) && p=$((PORT - 102))
  for ((i = 0; i < 100; i++)); do
    if ! port_in_use "$p" && (( p != PORT )); then echo "$p"; return; fi
    p=$((p + 1)); (( p > 65535 )) && p=20000
  done
  die "no free port found for the Gremlin server near $((PORT + 102))"
}

write_conf() {
  local gport="$1" conf="$HG_HOME/conf"
  mkdir -p "$HG_HOME/logs"
  rm -rf "$conf" "$HG_HOME/scripts"
  cp -R "$DIST_DIR/template/conf" "$conf"
  cp -R "$DIST_DIR/template/scripts" "$HG_HOME/scripts"
  # Only the graph 'hugegraph': drop templates / other graph files shipped in conf/graphs.
  find "$conf/graphs" -type f ! -name hugegraph.properties -delete

  local rest="$conf/rest-server.properties"
  set_prop "$rest" restserver.url "$URL"
  set_prop "$rest" gremlinserver.url "http://127.0.0.1:$gport"
  set_prop "$rest" graphs ./conf/graphs
  set_prop "$rest" restserver.max_worker_threads 32
  # No RPC / raft server: several test servers must run side by side.
  del_prop "$rest" rpc.server_host
  del_prop "$rest" rpc.server_port
  del_prop "$rest" rpc.remote_url
  del_prop "$rest" raft.group_peers
  if [[ -n "${HUGEGRAPH_AUTH_PASSWORD:-}" ]]; then
    set_prop "$rest" auth.authenticator org.apache.hugegraph.auth.StandardAuthenticator
    set_prop "$rest" auth.graph_store hugegraph
    # The memory backend creates 'admin' at start-up with password auth.admin_token.
    set_prop "$rest" auth.admin_token "$HUGEGRAPH_AUTH_PASSWORD"
  fi
  apply_extra "$rest" "${HUGEGRAPH_REST_CONF_EXTRA:-}"

  local graph="$conf/graphs/hugegraph.properties"
  if [[ -n "${HUGEGRAPH_AUTH_PASSWORD:-}" ]]; then
    set_prop "$graph" gremlin.graph org.apache.hugegraph.auth.HugeFactoryAuthProxy
  else
    set_prop "$graph" gremlin.graph org.apache.hugegraph.HugeFactory
  fi
  set_prop "$graph" backend "$BACKEND"
  set_prop "$graph" store hugegraph
  if [[ "$BACKEND" == rocksdb ]]; then
    set_prop "$graph" serializer binary
    set_prop "$graph" rocksdb.data_path "$HG_HOME/rocksdb-data/data"
    set_prop "$graph" rocksdb.wal_path "$HG_HOME/rocksdb-data/wal"
  else
    set_prop "$graph" serializer text
  fi
  if [[ "${HUGEGRAPH_SYNC_DELETION:-false}" == true ]]; then set_prop "$graph" task.sync_deletion true; fi
  apply_extra "$graph" "${HUGEGRAPH_GRAPH_CONF_EXTRA:-}"

  local yaml="$conf/gremlin-server.yaml"
  sed -i -E '/^[#[:space:]]*host:[[:space:]]/d; /^[#[:space:]]*port:[[:space:]]/d' "$yaml"
  printf 'host: 127.0.0.1\nport: %s\n' "$gport" >> "$yaml"
  # Groovy 2.5 (TinkerPop 3.5.1) cannot read Java 17 class files: the init script only adds an ERROR
  # to the log on Java >= 16 and Gremlin scripts fail anyway ("Unsupported class file major version").
  if (( JAVA_MAJOR >= 16 )); then
    sed -i -E '/ScriptFileGremlinPlugin:[[:space:]]*\{/,/^[[:space:]]*\}[[:space:]]*,?[[:space:]]*$/d' "$yaml"
  fi
  if [[ -n "${HUGEGRAPH_AUTH_PASSWORD:-}" ]] && ! grep -q '^authentication:' "$yaml"; then
    cat >> "$yaml" <<'EOF'
authentication: {
  authenticator: org.apache.hugegraph.auth.StandardAuthenticator,
  authenticationHandler: org.apache.hugegraph.auth.WsAndHttpBasicAuthHandler,
  config: {tokens: conf/rest-server.properties}
}
EOF
  fi
}

jvm_base_opts() {
  printf '%s\n' --add-exports=java.base/jdk.internal.reflect=ALL-UNNAMED --add-modules=jdk.unsupported \
    --add-exports=java.base/sun.nio.ch=ALL-UNNAMED "-Dlog4j.configurationFile=$HG_HOME/conf/log4j2.xml" \
    -Djava.awt.headless=true
}

# InitStore once per data dir (rocksdb only; memory initialises itself at start-up).
init_store() {
  [[ "$BACKEND" == rocksdb ]] || return 0
  local marker="$HG_HOME/rocksdb-data/.hgbr-initstore" want
  want="version=$VERSION auth=$([[ -n "${HUGEGRAPH_AUTH_PASSWORD:-}" ]] && echo on || echo off)"
  if [[ -f "$marker" ]]; then
    local have; have="$(cat "$marker")"
    [[ "$have" == "$want" ]] || die "data dir $HG_HOME/rocksdb-data was initialised with '$have' but now '$want' is asked; run 'scripts/hugegraph.sh clean' or use another HUGEGRAPH_HOME"
    return 0
  fi
  mkdir -p "$HG_HOME/rocksdb-data"
  local t0; t0="$(now)"
  local -a opts; mapfile -t opts < <(jvm_base_opts)
  log "initialising the RocksDB store in $HG_HOME/rocksdb-data"
  if ! (cd "$HG_HOME" && printf '%s\n' "${HUGEGRAPH_AUTH_PASSWORD:-}" |
        "$JAVA" "${opts[@]}" -Xmx1g -cp "$(classpath)" org.apache.hugegraph.cmd.InitStore conf/rest-server.properties \
        > "$HG_HOME/logs/init-store.log" 2>&1); then
    tail -30 "$HG_HOME/logs/init-store.log" >&2
    die "InitStore failed (log: $HG_HOME/logs/init-store.log)"
  fi
  echo "$want" > "$marker"
  log "store initialised in $(elapsed "$t0")s"
}

# ---------------------------------------------------------------------------------------------
# Process management
# ---------------------------------------------------------------------------------------------

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against a recycled pid: the process must be our server for this home
  # (no pipe here: with pipefail, 'tr | grep -q' fails at random when grep exits before tr is done)
  grep -qzxF -- "-Dhgbr.home=$HG_HOME" "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true; }

show_log_tail() {
  local f
  for f in "$HG_HOME/logs/hugegraph-server.log" "$HG_HOME/logs/server.out"; do
    [[ -f "$f" ]] || continue
    echo "----- tail of $f -----" >&2
    tail -40 "$f" | cut -c1-400 >&2
  done
}

# HUGEGRAPH_OWNER_PID: a detached watchdog stops the server (SIGTERM, SIGKILL after 60 s) as soon as
# that process is gone, e.g. a test runner that crashed or was killed before calling stop; with
# HUGEGRAPH_DELETE_HOME_ON_ORPHAN=1 it then deletes HUGEGRAPH_HOME too. It ends by itself when the
# server stops normally.
start_watchdog() {
  local jpid="$1" owner="$2"
  [[ "$owner" =~ ^[0-9]+$ ]] || die "HUGEGRAPH_OWNER_PID must be a pid, got '$owner'"
  nohup bash -c '
    jpid=$1 owner=$2 home=$3 delete=$4
    ours() { grep -qzxF -- "-Dhgbr.home=$home" "/proc/$jpid/cmdline" 2>/dev/null; }
    # $jpid is a subshell until it execs java: wait for that first
    for ((i = 0; i < 300; i++)); do ours && break; kill -0 "$jpid" 2>/dev/null || exit 0; sleep 0.1; done
    while ours; do
      if ! kill -0 "$owner" 2>/dev/null; then
        kill -TERM "$jpid" 2>/dev/null
        for ((i = 0; i < 300; i++)); do ours || break; sleep 0.2; done
        if ours; then kill -KILL "$jpid" 2>/dev/null; sleep 1; fi
        rm -f "$home/hugegraph.pid"
        if [[ "$delete" == 1 ]]; then rm -rf "$home"; fi
        exit 0
      fi
      sleep 2
    done' hgbr-hugegraph-watchdog "$jpid" "$owner" "$HG_HOME" "${HUGEGRAPH_DELETE_HOME_ON_ORPHAN:-0}" \
    < /dev/null > /dev/null 2>&1 7>&- 8>&- 9>&- &
}

start() {
  check_java
  local t0; t0="$(now)"
  mkdir -p "$HG_HOME"
  exec 9>"$HG_HOME/.lock"
  flock 9
  local pid
  if pid="$(running_pid)"; then
    echo "HugeGraph $VERSION already running: pid=$pid url=$URL home=$HG_HOME"
    return 0
  fi
  rm -f "$PID_FILE"
  if port_in_use "$PORT"; then
    die "port $PORT on 127.0.0.1 is already in use by another process (set HUGEGRAPH_PORT)" 4
  fi
  resolve
  build_patch
  local t_resolved; t_resolved="$(elapsed "$t0")"
  local gport; gport="$(gremlin_port)"
  if port_in_use "$gport"; then
    die "Gremlin port $gport on 127.0.0.1 is already in use (set HUGEGRAPH_GREMLIN_PORT)" 4
  fi
  write_conf "$gport"
  init_store

  local -a opts extra=()
  mapfile -t opts < <(jvm_base_opts)
  # shellcheck disable=SC2206
  [[ -n "${HUGEGRAPH_JAVA_OPTS:-}" ]] && extra=(${HUGEGRAPH_JAVA_OPTS})
  : > "$HG_HOME/logs/server.out"
  (
    cd "$HG_HOME"
    exec nohup "$JAVA" -Dname=HugeGraphServer "-Dhgbr.home=$HG_HOME" "${opts[@]}" -Xms256m "-Xmx$HEAP" \
      "${extra[@]}" -cp "$(classpath)" \
      org.apache.hugegraph.dist.HugeGraphServer conf/gremlin-server.yaml conf/rest-server.properties \
      < /dev/null >> "$HG_HOME/logs/server.out" 2>&1 7>&- 8>&- 9>&-
  ) &
  pid=$!
  echo "$pid" > "$PID_FILE"
  if [[ -n "${HUGEGRAPH_OWNER_PID:-}" ]]; then start_watchdog "$pid" "$HUGEGRAPH_OWNER_PID"; fi

  local deadline code=""
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      show_log_tail
      die "HugeGraph $VERSION exited during start-up (logs in $HG_HOME/logs)"
    fi
    code="$(http_code "$URL/versions")"
    [[ "$code" == 200 ]] && break
    if (( $(date +%s) >= deadline )); then
      show_log_tail
      kill -TERM "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      die "HugeGraph $VERSION did not answer 200 on $URL/versions within ${START_TIMEOUT}s (last status '$code'); stopped it. Logs in $HG_HOME/logs"
    fi
    sleep 0.25
  done
  # REST is up; the Gremlin server starts right after it. Wait for it too (a few seconds at most) so a
  # quick stop does not race the end of start-up.
  local i
  for ((i = 0; i < 120; i++)); do port_in_use "$gport" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  # A launcher that dies after the REST server started leaves a half-working JVM behind (REST threads
  # keep it alive, HugeFactory already shut down): treat an exception in "main" as a failed start.
  sleep 0.5
  if grep -q 'Exception in thread "main"' "$HG_HOME/logs/server.out"; then
    show_log_tail
    kill -TERM "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
    die "HugeGraph $VERSION: the launcher's main thread failed (see $HG_HOME/logs/server.out); stopped it"
  fi
  local versions; versions="$(curl -s --max-time 3 "$URL/versions" || true)"
  echo "HugeGraph $VERSION started: pid=$pid url=$URL gremlin=127.0.0.1:$gport backend=$BACKEND auth=$([[ -n "${HUGEGRAPH_AUTH_PASSWORD:-}" ]] && echo on || echo off) home=$HG_HOME"
  echo "  $versions"
  echo "  took $(elapsed "$t0")s (classpath ready after ${t_resolved}s)"
  flock -u 9
}

stop() {
  mkdir -p "$HG_HOME"
  exec 9>"$HG_HOME/.lock"
  flock 9
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "HugeGraph not running (home=$HG_HOME)"
    return 0
  fi
  local t0; t0="$(now)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  while kill -0 "$pid" 2>/dev/null; do
    if (( $(date +%s) >= deadline )); then
      log "pid $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  echo "HugeGraph stopped: pid=$pid url=$URL in $(elapsed "$t0")s"
  flock -u 9
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running: pid=$pid url=$URL home=$HG_HOME /versions -> $(http_code "$URL/versions")"
    return 0
  fi
  echo "stopped (home=$HG_HOME)"
  return 3
}

cmd="${1:-}"
case "$cmd" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  init) check_java; resolve; build_patch; mkdir -p "$HG_HOME"; write_conf "$(gremlin_port)"; init_store ;;
  resolve) resolve; echo "classpath for $VERSION: $DIST_DIR/classpath.txt ($(wc -l < "$DIST_DIR/classpath.txt") jars)" ;;
  classpath) resolve; cat "$DIST_DIR/classpath.txt" ;;
  logs) show_log_tail 2>&1 ;;
  clean) stop; rm -rf "$HG_HOME"; echo "removed $HG_HOME" ;;
  url) echo "$URL" ;;
  *) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; [[ -z "$cmd" || "$cmd" == help || "$cmd" == -h || "$cmd" == --help ]] || exit 1 ;;
esac
