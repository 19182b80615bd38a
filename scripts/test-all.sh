#!/usr/bin/env bash
# Every check the project has, in the order CI runs them: build, typecheck, lint, unit tests,
# then the integration tests against a real Nacos server that this script starts and stops.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/scripts/env.sh"

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step build
pnpm build
step typecheck
pnpm typecheck
step lint
pnpm lint
step "unit tests"
pnpm test

step "integration tests (real Nacos on 127.0.0.1)"
trap 'bash "$root/scripts/nacos.sh" stop-all || true' EXIT
bash "$root/scripts/nacos.sh" start
pnpm test:integration

step "benchmark smoke run"
pnpm bench --quick
