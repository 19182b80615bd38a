#!/usr/bin/env bash
# Every check the project has, in the order CI runs them: build, typecheck, lint, unit tests,
# the runtime matrix, the packed packages installed as a user installs them (pack-check), then
# the integration tests against each Nacos server kind (r-nacos, official 2.5.1 and 3.0.3), one
# after another, each started and stopped by this script.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Before anything starts: every tool the run needs, each missing one named with how to get it.
bash "$root/scripts/check-tools.sh" all
source "$root/scripts/env.sh"

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

# The Nacos servers the integration tests run against, one after another: r-nacos and the
# official 2.5.1 and 3.0.3 (NACOS_SERVERS narrows it, e.g. NACOS_SERVERS=rnacos for a quick run).
nacos_servers="${NACOS_SERVERS:-rnacos nacos-2.5.1 nacos-3.0.3}"
# A fresh machine builds them (r-nacos with cargo, the official ones with Maven; minutes each):
# start that now, beside the TypeScript build.
nacos_install_log="$(mktemp)"
# shellcheck disable=SC2086 # a list of server names
bash "$root/scripts/nacos.sh" install $nacos_servers >"$nacos_install_log" 2>&1 &
nacos_install_pid=$!

step build
pnpm build
step typecheck
pnpm typecheck
step lint
pnpm lint
# Test output is also kept in a log, to add up the counts at the end.
test_log="$(mktemp)"
step "unit tests"
pnpm test 2>&1 | tee -a "$test_log"
step "script tests (node --test)"
pnpm test:scripts 2>&1 | tee -a "$test_log"

# Node 22, Node 24, Bun, Deno and workerd from the npm registry (cached), each loading the built
# packages: the transport and registry suites' portable cases and the end-to-end script.
step "runtime matrix (Node 22, Node 24, Bun, Deno, workerd)"
bash "$root/scripts/runtimes.sh" run 2>&1 | tee -a "$test_log"

# Every publishable package packed as pnpm publish packs it and its tarball checked, then
# installed with npm into fresh projects outside the workspace on Node 22 and Node 24, whose
# consumer files are type-checked (tsc, nodenext and bundler) and run (apps/pack-check).
step "packages as a user installs them (pnpm pack, npm install on Node 22 and 24)"
bash "$root/scripts/pack-check.sh" 2>&1 | tee -a "$test_log"

if ! wait "$nacos_install_pid"; then
  cat "$nacos_install_log" >&2
  echo "installing the Nacos servers failed" >&2
  exit 1
fi
cat "$nacos_install_log"
# Every server this run starts lives under its own folder, so stop-all stops only those.
export NACOS_RUN_ROOT="${NACOS_RUN_ROOT:-$(mktemp -d)}"
trap 'bash "$root/scripts/nacos.sh" stop-all || true' EXIT
# The integration tests that need Nacos, run again on every server kind after the first; the rest
# (transports' misbehaving upstreams, chaos without a registry, close bounds, the admin page in
# Chromium) do not depend on the server and run once, with the first.
nacos_dependent_tests() {
  pnpm --filter @service-caller/registry-nacos test:integration
  pnpm --filter @service-caller/caller exec vitest run --mode integration \
    test/config-centre.int.test.ts test/chaos/chaos-nacos.int.test.ts
  pnpm --filter @service-caller/cli test:integration
  pnpm --filter @service-caller/demo test:integration
}
matrix_times=()
first_server=1
for server in $nacos_servers; do
  step "integration tests against $server (real Nacos on 127.0.0.1)"
  started=$SECONDS
  # The shared server on 8848; the tests start their own (auth, restart, cluster) beside it.
  NACOS_SERVER="$server" NACOS_PORT=8848 bash "$root/scripts/nacos.sh" start
  if [ "$first_server" = 1 ]; then
    NACOS_SERVER="$server" NACOS_ADDR=127.0.0.1:8848 pnpm test:integration 2>&1 | tee -a "$test_log"
  else
    NACOS_SERVER="$server" NACOS_ADDR=127.0.0.1:8848 nacos_dependent_tests 2>&1 | tee -a "$test_log"
  fi
  first_server=0
  NACOS_PORT=8848 bash "$root/scripts/nacos.sh" stop
  matrix_times+=("$server $((SECONDS - started)) s")
done
printf '\nNacos matrix: %s\n' "$(IFS=,; printf '%s' "${matrix_times[*]}" | sed 's/,/, /g')"

step "benchmark smoke run"
pnpm bench --quick

# One closing line for the whole run, summed over every vitest run above (turbo prefixes each
# line), the node --test run of the scripts' tests (its `ℹ pass N` / `ℹ fail N` lines) and
# pack-check (`pack-check: N passed, M failed`).
sed 's/\x1b\[[0-9;]*m//g' "$test_log" | awk '
  /Tests +[0-9]/ {
    for (i = 1; i <= NF; i++) {
      if ($(i + 1) ~ /^passed/) passed += $i
      if ($(i + 1) ~ /^failed/) failed += $i
    }
  }
  /^ℹ pass [0-9]+$/ { passed += $3 }
  /^ℹ fail [0-9]+$/ { failed += $3 }
  /^pack-check: [0-9]+ passed, [0-9]+ failed$/ { passed += $2; failed += $4 }
  END { printf "\ntests: %d passed, %d failed\n", passed, failed }'

