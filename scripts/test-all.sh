#!/usr/bin/env bash
# Every check the project has, in the order CI runs them: build, typecheck, lint, unit tests,
# then the integration tests against a real Nacos server that this script starts and stops.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/scripts/env.sh"

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

# A fresh machine builds the r-nacos server with cargo (minutes): start that now, beside the build.
nacos_install_log="$(mktemp)"
bash "$root/scripts/nacos.sh" install >"$nacos_install_log" 2>&1 &
nacos_install_pid=$!

step build
pnpm build
step typecheck
pnpm typecheck
step lint
pnpm lint
step "unit tests"
pnpm test

step "integration tests (real Nacos on 127.0.0.1)"
if ! wait "$nacos_install_pid"; then
  cat "$nacos_install_log" >&2
  echo "installing the Nacos server failed" >&2
  exit 1
fi
trap 'bash "$root/scripts/nacos.sh" stop-all || true' EXIT
bash "$root/scripts/nacos.sh" start
pnpm test:integration

step "benchmark smoke run"
pnpm bench --quick
