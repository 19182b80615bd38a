#!/usr/bin/env bash
# The Python library this project succeeds (aio-service-caller 0.1.15, with yamlpyconfig 0.1.10 and
# nacos-sdk-python 2.x), in a virtual environment in the user's cache, for the interop and
# differential tests. Prints the venv's python on stdout; progress goes to stderr.
#
#   bash scripts/python-venv.sh            # create (first run only) and print the interpreter
#   bash scripts/python-venv.sh --base     # only find the base interpreter (>= 3.12) and print it
#   SC_PYTHON=/path/to/python3.12 ...      # the base interpreter to use (default: a pyenv 3.12, python3.12, then newer)
#
# The venv lives in ~/.cache/service-caller/python-venv-<hash of requirements.txt>: a change to the
# pinned requirements makes a new one, and an unchanged one is reused as is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/scripts/python/requirements.txt"
say() { printf '[python] %s\n' "$*" >&2; }
die() { printf '[python] error: %s\n' "$*" >&2; exit 1; }
case "${1:-}" in
  '' | --base) ;;
  *) printf '[python] error: unknown argument %s (expected --base or nothing)\n' "'$1'" >&2; exit 1 ;;
esac

is_312_or_newer() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)' 2>/dev/null
}
find_base() {
  base="${SC_PYTHON:-}"
  if [ -n "$base" ]; then
    is_312_or_newer "$base" || die "SC_PYTHON=$base is not a Python >= 3.12"
  else
    pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
    # 3.12 first: the pinned requirements were resolved on it (the library's own minimum).
    for candidate in $(ls -d "$pyenv_root"/versions/3.12.* 2>/dev/null | sort -rV) python3.12 \
      $(ls -d "$pyenv_root"/versions/3.* 2>/dev/null | sort -rV) python3.13 python3; do
      [ -d "$candidate" ] && candidate="$candidate/bin/python"
      if command -v "$candidate" >/dev/null 2>&1 && is_312_or_newer "$candidate"; then
        base="$candidate"
        break
      fi
    done
  fi
  [ -n "$base" ] || die "no Python >= 3.12 found (aio-service-caller needs it); install one (pyenv install 3.12) or set SC_PYTHON"
}

if [ "${1:-}" = --base ]; then
  find_base
  printf '%s\n' "$base"
  exit 0
fi
[ -f "$req" ] || die "missing $req"
hash="$(sha256sum "$req" | cut -c1-12)"
cache="${SC_CACHE_DIR:-$HOME/.cache/service-caller}"
venv="$cache/python-venv-$hash"
py="$venv/bin/python"
if [ -x "$py" ] && [ -f "$venv/.complete" ]; then
  printf '%s\n' "$py"
  exit 0
fi

find_base

mkdir -p "$cache"
exec 9>"$cache/.python-venv.lock"
flock 9
if [ ! -f "$venv/.complete" ]; then
  say "creating $venv with $base (first run only)"
  rm -rf "$venv"
  "$base" -m venv "$venv"
  "$py" -m pip install --quiet --disable-pip-version-check --no-input -r "$req" >&2 ||
    die "pip install -r $req failed"
  "$py" -c 'import aio_service_caller, yamlpyconfig, gmssl' ||
    die "the venv does not import aio_service_caller / yamlpyconfig / gmssl"
  touch "$venv/.complete"
  say "ready: $py"
fi
printf '%s\n' "$py"
