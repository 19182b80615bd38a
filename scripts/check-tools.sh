#!/usr/bin/env bash
# Checks, before anything is installed or built, that this machine has the tools a run needs,
# and names every one that is missing together with how to get it (exit 1). Quiet when all are
# there.
#
#   bash scripts/check-tools.sh base   # what every script needs: git and an npm (bash runs this)
#   bash scripts/check-tools.sh all    # what the full test run (test:all, CI) needs besides:
#                                      # cargo, curl, flock, openssl, Java 17+, Maven, Chromium, Python 3.12+
#
# Node and pnpm are not on the list: scripts/env.sh installs the pinned ones through npm.
# The "how to get it" lines name Debian's packages (what these machines run) and the upstream way.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile="${1:-all}"
case "$profile" in
  base | all) ;;
  *) printf '[tools] error: unknown profile %s (expected base or all)\n' "'$profile'" >&2; exit 2 ;;
esac

missing=()
need() { missing+=("$1: $2"); }
have() { command -v "$1" >/dev/null 2>&1; }

# Every script: git for the checkout, npm to install the pinned Node and pnpm.
have git || need git "apt-get install -y git"
have npm || need npm "apt-get install -y npm (any version: it only installs the pinned Node 24)"

if [ "$profile" = all ]; then
  # r-nacos, the Nacos-compatible server of the integration tests, is built from crates.io.
  have cargo || [ -x "$HOME/.cargo/bin/cargo" ] ||
    need cargo "apt-get install -y cargo, or rustup (https://rustup.rs); builds r-nacos from crates.io"
  have curl || need curl "apt-get install -y curl; scripts/nacos.sh talks to the servers with it"
  have flock || need flock "apt-get install -y util-linux; one build of each server at a time"
  have openssl || need openssl "apt-get install -y openssl; the transport suite makes throwaway TLS certificates"
  # The official Nacos servers are built from their release sources with Java and Maven.
  if ! have java; then
    need java "apt-get install -y openjdk-17-jdk-headless (Java 17 or newer); runs the official Nacos servers"
  else
    # `java -version` prints e.g. 'openjdk version "17.0.15"' or '"1.8.0_392"' on stderr.
    java_version="$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
    java_major="${java_version%%.*}"
    [ "$java_major" = 1 ] && java_major="$(printf '%s' "$java_version" | cut -d. -f2)"
    case "$java_major" in
      '' | *[!0-9]*) need java "found a java whose version could not be read ('${java_version}'); install openjdk-17-jdk-headless" ;;
      *) [ "$java_major" -ge 17 ] || need java "found Java $java_version, need 17 or newer: apt-get install -y openjdk-17-jdk-headless" ;;
    esac
  fi
  have mvn || need mvn "apt-get install -y maven; builds the official Nacos servers from source"
  have chromium || [ -n "${CHROMIUM_PATH:-}" ] ||
    need chromium "apt-get install -y chromium (or CHROMIUM_PATH=...); the admin page's browser test drives it headless"
  # The same search scripts/python-venv.sh makes (SC_PYTHON, pyenv 3.12, python3.12, python3.13, python3).
  if ! python_error="$(bash "$root/scripts/python-venv.sh" --base 2>&1 >/dev/null)"; then
    need "python3 >= 3.12" "${python_error#\[python\] error: }; the interop tests run the Python library aio-service-caller"
  fi
fi

if [ "${#missing[@]}" -gt 0 ]; then
  {
    printf '[tools] this machine lacks %d tool(s) that %s needs:\n' "${#missing[@]}" \
      "$([ "$profile" = all ] && printf 'the full test run' || printf 'every script')"
    printf '  - %s\n' "${missing[@]}"
  } >&2
  exit 1
fi
