#!/usr/bin/env bash
# The runtimes of the runtime matrix, installed from the npm registry (each ships its binary in
# a platform package) into ~/.cache/service-caller/, and the matrix itself (apps/runtimes).
#
#   bash scripts/runtimes.sh install            # installs once; prints the folder with the binaries
#   bash scripts/runtimes.sh run [matrix args]  # installs, then runs the matrix on the built packages
#                                               # (args: --only node22,bun,... --readme)
#
# Node 24 is the project's own (scripts/env.sh); this adds Node 22, Bun, Deno and workerd, pinned
# here so that a run means the same thing on every machine. `pnpm build` must have run first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

SC_NODE22_VERSION="22.23.3"
SC_BUN_VERSION="1.4.5"
SC_DENO_VERSION="2.9.6"
SC_WORKERD_VERSION="1.20261117.1"
dir="${SC_RUNTIMES_DIR:-$HOME/.cache/service-caller/runtimes-node${SC_NODE22_VERSION}-bun${SC_BUN_VERSION}-deno${SC_DENO_VERSION}-workerd${SC_WORKERD_VERSION}}"
bin="$dir/node_modules/.bin"

installed() {
  [ -x "$bin/node" ] && [ "$("$bin/node" --version 2>/dev/null)" = "v$SC_NODE22_VERSION" ] &&
    [ -x "$bin/bun" ] && [ "$("$bin/bun" --version 2>/dev/null)" = "$SC_BUN_VERSION" ] &&
    [ -x "$bin/deno" ] && "$bin/deno" --version 2>/dev/null | grep -q "^deno $SC_DENO_VERSION " &&
    [ -x "$bin/workerd" ] && "$bin/workerd" --version >/dev/null 2>&1
}

install() {
  mkdir -p "$dir"
  # One install at a time: helpers and CI may start this together.
  exec 9>"$dir.lock"
  flock 9
  if ! installed; then
    echo "[runtimes] installing node@$SC_NODE22_VERSION bun@$SC_BUN_VERSION deno@$SC_DENO_VERSION workerd@$SC_WORKERD_VERSION into $dir" >&2
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error --save-exact \
      "node@$SC_NODE22_VERSION" "bun@$SC_BUN_VERSION" "deno@$SC_DENO_VERSION" "workerd@$SC_WORKERD_VERSION" >&2
    if ! installed; then
      echo "[runtimes] error: after npm install, a runtime in $bin is missing or has the wrong version:" >&2
      for tool in node bun deno workerd; do
        printf '  %s: %s\n' "$tool" "$("$bin/$tool" --version 2>&1 | head -n 1 || echo missing)" >&2
      done
      exit 1
    fi
  fi
  flock -u 9
}

case "${1:-}" in
  install)
    install
    echo "$bin"
    ;;
  run)
    shift
    install
    # shellcheck source=./env.sh
    source "$root/scripts/env.sh"
    cd "$root"
    pnpm --silent --filter @service-caller/runtimes run runtimes --bin "$bin" "$@"
    ;;
  *)
    echo "usage: bash scripts/runtimes.sh install | run [--only node22,node24,bun,deno,deno-plain,workerd] [--readme]" >&2
    exit 2
    ;;
esac
