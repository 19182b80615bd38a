#!/usr/bin/env bash
# The packages as a user installs them from the npm registry (issue #18; apps/pack-check):
# packs every publishable package with `pnpm pack` and checks each tarball, then on Node 22 and
# Node 24 installs the tarballs with npm into fresh projects in a temporary folder (outside the
# workspace), type-checks their consumer files with tsc (nodenext and bundler) and runs them.
#
#   bash scripts/pack-check.sh                        # after `pnpm build`
#   bash scripts/pack-check.sh --only node24          # one Node
#   bash scripts/pack-check.sh --consumers <dir>      # other consumer projects (a folder with a
#                                                     # project.json, or a folder of them)
#   bash scripts/pack-check.sh --tarballs-only        # pack and check the tarballs only (seconds)
#   bash scripts/pack-check.sh --keep                 # keep the temporary folder, to look inside
#
# Node 22 is the runtime matrix's (scripts/runtimes.sh installs it into ~/.cache), Node 24 the
# project's own (scripts/env.sh). npm is the one on PATH; its cache is npm's own (~/.npm).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The tarballs are read with tar; everything else comes with the pinned Node and pnpm.
if ! command -v tar >/dev/null 2>&1; then
  echo "pack-check: needs tar (apt-get install -y tar) to read the packed tarballs" >&2
  exit 1
fi
runtimes_bin="$(bash "$root/scripts/runtimes.sh" install)"
# shellcheck source=./env.sh
source "$root/scripts/env.sh"
cd "$root"
exec pnpm --silent --filter @service-caller/pack-check run pack-check --node22 "$runtimes_bin/node" "$@"
