#!/usr/bin/env bash
# The `service-caller` bin as npm links it into node_modules/.bin, with the options before the
# command (issue #18): the body on stdout (no newline added when stdout is not a terminal), the
# status line on stderr.
set -euo pipefail
service-caller --config ./config call greeter /hello
echo
# A non-2xx answer: its body still printed, exit 1 (as curl --fail).
status=0
service-caller call greeter /status/503 --config ./config || status=$?
test "$status" -eq 1
echo
service-caller --version
