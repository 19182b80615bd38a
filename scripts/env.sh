#!/usr/bin/env bash
# Source this file: it puts a pinned Node 24 and pnpm on PATH, installing them on first use.
# The npm registry serves Node itself as the package `node`, so a fresh machine with any npm
# (the machines here ship Node 20) needs nothing by hand. Tools live in the user's cache, not the repo.
SC_NODE_VERSION="24.21.0"
SC_PNPM_VERSION="10.34.9"
SC_TOOLS_DIR="${SC_TOOLS_DIR:-$HOME/.cache/service-caller/tools-node${SC_NODE_VERSION}-pnpm${SC_PNPM_VERSION}}"

sc_ensure_tools() {
  local bin="$SC_TOOLS_DIR/node_modules/.bin"
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" -v 2>/dev/null)" != "v$SC_NODE_VERSION" ] || [ ! -x "$bin/pnpm" ]; then
    echo "[service-caller] installing node@$SC_NODE_VERSION and pnpm@$SC_PNPM_VERSION into $SC_TOOLS_DIR" >&2
    mkdir -p "$SC_TOOLS_DIR"
    npm install --prefix "$SC_TOOLS_DIR" --no-audit --no-fund --loglevel=error \
      "node@$SC_NODE_VERSION" "pnpm@$SC_PNPM_VERSION" >&2 || return 1
  fi
  export PATH="$bin:$PATH"
  if [ "$(node -v)" != "v$SC_NODE_VERSION" ]; then
    echo "[service-caller] expected node v$SC_NODE_VERSION on PATH, found $(node -v)" >&2
    return 1
  fi
}

sc_ensure_tools
export TURBO_TELEMETRY_DISABLED=1
export DO_NOT_TRACK=1
