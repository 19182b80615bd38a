#!/usr/bin/env bash
# The one entry point for a fresh clone: `bash scripts/run.sh <pnpm script> [args...]`.
# Installs Node 24 + pnpm (once, cached in ~/.cache), installs the workspace, then runs the script.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Every missing tool named up front, before minutes of installing: all of them for the full run.
case "${1:-}" in
  test:all) bash "$root/scripts/check-tools.sh" all ;;
  *) bash "$root/scripts/check-tools.sh" base ;;
esac
# shellcheck source=./env.sh
source "$root/scripts/env.sh"
if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile --prefer-offline
else
  pnpm install --prefer-offline
fi
exec pnpm "$@"
