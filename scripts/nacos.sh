#!/usr/bin/env bash
# A real Nacos server on 127.0.0.1 for the integration tests and the demo.
#
#   bash scripts/nacos.sh start | stop | status | stop-all | install
#
# The official Nacos server is not published to Maven Central (only its client-side artifacts
# are: nacos-client, nacos-api, nacos-common), so the server here is r-nacos, a Nacos-compatible
# server (1.x HTTP Open API, 2.x gRPC, /nacos/v1/auth/login and /nacos/v3/auth/user/login),
# built once from crates.io with `cargo install` into ~/.cache/service-caller/rnacos/<version>.
# An official distribution you already have can be run instead: NACOS_SERVER_JAR=/path/nacos-server.jar.
#
# Environment (all optional):
#   NACOS_PORT=8848            HTTP port; gRPC is NACOS_PORT+1000, the r-nacos console NACOS_PORT+2000
#   NACOS_GRPC_PORT, NACOS_CONSOLE_PORT   override those two
#   NACOS_AUTH=false           true: the Open API needs a token (log in as nacos / $NACOS_PASSWORD)
#   NACOS_PASSWORD=nacos       password of the user `nacos` (created at start)
#   NACOS_TOKEN_TTL=18000      access-token lifetime in seconds (short values test token renewal)
#   NACOS_START_TIMEOUT=180    seconds to wait for the server to answer
#   NACOS_RUN_DIR              per-server folder (pid, log, data); default ~/.cache/service-caller/nacos-run/<port>
#   RNACOS_VERSION=0.8.8       the crates.io version of r-nacos to build
#   NACOS_SERVER_JAR           an official nacos-server.jar (2.x or 3.x) to run with java instead
# Each start gets an empty data folder: a throwaway server, nothing survives a restart but the users.
set -euo pipefail

NACOS_PORT="${NACOS_PORT:-8848}"
case "$NACOS_PORT" in
  '' | *[!0-9]*) printf '[nacos] error: NACOS_PORT must be a port number, found %s\n' "'$NACOS_PORT'" >&2; exit 1 ;;
esac
NACOS_GRPC_PORT="${NACOS_GRPC_PORT:-$((NACOS_PORT + 1000))}"
NACOS_CONSOLE_PORT="${NACOS_CONSOLE_PORT:-$((NACOS_PORT + 2000))}"
NACOS_AUTH="${NACOS_AUTH:-false}"
NACOS_USERNAME="nacos"
NACOS_PASSWORD="${NACOS_PASSWORD:-nacos}"
NACOS_TOKEN_TTL="${NACOS_TOKEN_TTL:-18000}"
NACOS_START_TIMEOUT="${NACOS_START_TIMEOUT:-180}"
RNACOS_VERSION="${RNACOS_VERSION:-0.8.8}"
SC_CACHE="${SC_CACHE_DIR:-$HOME/.cache/service-caller}"
RUN_ROOT="$SC_CACHE/nacos-run"
RUN_DIR="${NACOS_RUN_DIR:-$RUN_ROOT/$NACOS_PORT}"
RNACOS_ROOT="$SC_CACHE/rnacos/$RNACOS_VERSION"
RNACOS_BIN="$RNACOS_ROOT/bin/rnacos"
PID_FILE="$RUN_DIR/nacos.pid"
LOG_FILE="$RUN_DIR/nacos.log"
BASE_URL="http://127.0.0.1:$NACOS_PORT"

say() { printf '[nacos:%s] %s\n' "$NACOS_PORT" "$*"; }
die() { printf '[nacos:%s] error: %s\n' "$NACOS_PORT" "$*" >&2; exit 1; }

check_port() {
  case "$1" in
    '' | *[!0-9]*) die "$2 must be a port number, found '$1'" ;;
  esac
  [ "$1" -ge 1 ] && [ "$1" -le 65535 ] || die "$2 must be 1-65535, found $1"
}
check_port "$NACOS_PORT" NACOS_PORT
check_port "$NACOS_GRPC_PORT" NACOS_GRPC_PORT
check_port "$NACOS_CONSOLE_PORT" NACOS_CONSOLE_PORT
case "$NACOS_AUTH" in true | false) ;; *) die "NACOS_AUTH must be true or false, found '$NACOS_AUTH'" ;; esac
case "$NACOS_TOKEN_TTL" in '' | *[!0-9]*) die "NACOS_TOKEN_TTL must be whole seconds, found '$NACOS_TOKEN_TTL'" ;; esac
command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"

# The pid in the pid file, when that process is still alive.
running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s' "$pid"
}

# Whether anything answers HTTP on the port (any status counts).
answers_http() {
  local code
  code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$BASE_URL/nacos/" 2>/dev/null || true)"
  [ -n "$code" ] && [ "$code" != "000" ]
}

# Ready = the user store answers: a login with the configured user succeeds. The password goes
# to curl on stdin, never on its command line.
ready() {
  local code path
  # Nacos 1.x/2.x and r-nacos log in at the v1 path; Nacos 3.2+ only at the v3 one.
  for path in /nacos/v1/auth/login /nacos/v3/auth/user/login; do
    code="$(printf 'username=%s&password=%s' "$NACOS_USERNAME" "$NACOS_PASSWORD" |
      curl -s -o /dev/null -m 3 -w '%{http_code}' -X POST \
        -H 'content-type: application/x-www-form-urlencoded' --data-binary @- \
        "$BASE_URL$path" 2>/dev/null || true)"
    [ "$code" = "200" ] && return 0
    [ "$code" = "404" ] || return 1
  done
  return 1
}

rss_mb() {
  local kb
  kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true)"
  [ -n "$kb" ] && printf '%s MB' "$((kb / 1024))" || printf 'unknown'
}

install_rnacos() {
  if [ -x "$RNACOS_BIN" ]; then return 0; fi
  local cargo
  cargo="$(command -v cargo || true)"
  [ -z "$cargo" ] && [ -x "$HOME/.cargo/bin/cargo" ] && cargo="$HOME/.cargo/bin/cargo"
  [ -n "$cargo" ] || die "cargo is needed to build r-nacos (install Rust: https://rustup.rs or apt-get install cargo)"
  mkdir -p "$SC_CACHE/rnacos"
  # One build at a time, even when several servers start at once.
  exec 9>"$SC_CACHE/rnacos/.install.lock"
  flock 9
  if [ ! -x "$RNACOS_BIN" ]; then
    local build_dir="${RNACOS_BUILD_DIR:-$SC_CACHE/rnacos/build-$RNACOS_VERSION}"
    say "building r-nacos $RNACOS_VERSION from crates.io into $RNACOS_ROOT (first run only; takes minutes)"
    local started=$SECONDS
    CARGO_TARGET_DIR="$build_dir" "$cargo" install rnacos --version "$RNACOS_VERSION" --locked \
      --root "$RNACOS_ROOT.partial" >"$SC_CACHE/rnacos/install-$RNACOS_VERSION.log" 2>&1 || {
      tail -n 30 "$SC_CACHE/rnacos/install-$RNACOS_VERSION.log" >&2
      die "cargo install rnacos $RNACOS_VERSION failed (log: $SC_CACHE/rnacos/install-$RNACOS_VERSION.log)"
    }
    rm -rf "$RNACOS_ROOT"
    mv "$RNACOS_ROOT.partial" "$RNACOS_ROOT"
    [ -n "${RNACOS_BUILD_DIR:-}" ] || rm -rf "$build_dir"
    say "built r-nacos in $((SECONDS - started)) s"
  fi
  flock -u 9
}

launch_rnacos() {
  # r-nacos reads a `.env` in its working folder: run it in RUN_DIR with an explicit env file.
  cat >"$RUN_DIR/rnacos.env" <<EOF
RNACOS_HTTP_PORT=$NACOS_PORT
RNACOS_GRPC_PORT=$NACOS_GRPC_PORT
RNACOS_HTTP_CONSOLE_PORT=$NACOS_CONSOLE_PORT
RNACOS_SDK_HOST=127.0.0.1
RNACOS_CONSOLE_HOST=127.0.0.1
RNACOS_RAFT_NODE_ADDR=127.0.0.1:$NACOS_GRPC_PORT
RNACOS_DATA_DIR=$RUN_DIR/data
RNACOS_ENABLE_OPEN_API_AUTH=$NACOS_AUTH
RNACOS_INIT_ADMIN_USERNAME=$NACOS_USERNAME
RNACOS_API_LOGIN_TIMEOUT=$NACOS_TOKEN_TTL
RNACOS_CONSOLE_ENABLE_CAPTCHA=false
RNACOS_HTTP_WORKERS=2
EOF
  (
    cd "$RUN_DIR"
    # The password travels in the environment only, not in the env file or on a command line.
    RNACOS_INIT_ADMIN_PASSWORD="$NACOS_PASSWORD" RUST_LOG="${RUST_LOG:-warn}" \
      nohup setsid "$RNACOS_BIN" -e "$RUN_DIR/rnacos.env" </dev/null >>"$LOG_FILE" 2>&1 &
    echo $! >"$PID_FILE"
  )
  IMPL="r-nacos $RNACOS_VERSION"
}

launch_java() {
  [ -f "$NACOS_SERVER_JAR" ] || die "NACOS_SERVER_JAR=$NACOS_SERVER_JAR is not a file"
  command -v java >/dev/null || die "java is needed to run $NACOS_SERVER_JAR"
  # 3.x refuses to start with auth on unless the token secret is Base64 of >= 32 bytes.
  local secret
  secret="$(printf 'service-caller-test-secret-%s-0123456789abcdef' "$NACOS_PORT" | base64 -w0)"
  (
    cd "$RUN_DIR"
    nohup setsid java -Xms256m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
      -Dnacos.standalone=true -Dnacos.home="$RUN_DIR/home" \
      -Dserver.port="$NACOS_PORT" -Dnacos.server.main.port="$NACOS_PORT" \
      -Dnacos.console.port="$NACOS_CONSOLE_PORT" -Dserver.address=127.0.0.1 \
      -Dnacos.inetutils.ip-address=127.0.0.1 -Dnacos.inetutils.prefer-hostname-over-ip=false \
      -Dnacos.core.auth.enabled="$NACOS_AUTH" -Dnacos.core.auth.admin.enabled="$NACOS_AUTH" \
      -Dnacos.core.auth.console.enabled="$NACOS_AUTH" \
      -Dnacos.core.auth.system.type=nacos \
      -Dnacos.core.auth.plugin.nacos.token.secret.key="$secret" \
      -Dnacos.core.auth.plugin.nacos.token.expire.seconds="$NACOS_TOKEN_TTL" \
      -Dnacos.core.auth.server.identity.key=service-caller -Dnacos.core.auth.server.identity.value=test \
      -jar "$NACOS_SERVER_JAR" </dev/null >>"$LOG_FILE" 2>&1 &
    echo $! >"$PID_FILE"
  )
  IMPL="official Nacos ($NACOS_SERVER_JAR)"
}

# Official 2.4+/3.x create no default user: set the password of `nacos` once the server answers.
init_java_admin() {
  local path
  for path in /nacos/v3/auth/user/admin /nacos/v1/auth/users/admin; do
    printf 'password=%s' "$NACOS_PASSWORD" |
      curl -s -o /dev/null -m 5 -X POST -H 'content-type: application/x-www-form-urlencoded' \
        --data-binary @- "$BASE_URL$path" 2>/dev/null || true
  done
}

# Starts a fresh server process: empty data folder, new log.
launch() {
  mkdir -p "$RUN_DIR"
  rm -rf "$RUN_DIR/data" "$RUN_DIR/home"
  : >"$LOG_FILE"
  if [ -n "${NACOS_SERVER_JAR:-}" ]; then launch_java; else launch_rnacos; fi
  LAUNCHED_AT=$SECONDS
}

# r-nacos 0.8.8 sometimes panics in its raft state machine while starting (a race in
# raftapply.rs); such a process may never accept a login. Seen in 4 of 20 starts here: start it again.
start_broken_by_race() {
  [ -z "${NACOS_SERVER_JAR:-}" ] && [ $((SECONDS - LAUNCHED_AT)) -ge 5 ] && grep -q 'panicked' "$LOG_FILE" 2>/dev/null
}

start() {
  local pid
  if pid="$(running_pid)"; then
    if ready; then
      say "already running (pid $pid) on $BASE_URL; log: $LOG_FILE"
      return 0
    fi
    if answers_http; then
      die "the server this script started on port $NACOS_PORT (pid $pid) runs with other settings (logging in as $NACOS_USERNAME fails); stop it first: NACOS_PORT=$NACOS_PORT bash scripts/nacos.sh stop"
    fi
  elif answers_http; then
    die "port $NACOS_PORT is taken by a process this script did not start; choose another NACOS_PORT"
  fi
  local started=$SECONDS deadline=$((SECONDS + NACOS_START_TIMEOUT)) attempt=1
  LAUNCHED_AT=$SECONDS
  if [ -n "${pid:-}" ]; then
    say "pid $pid does not answer yet; waiting for it"
  else
    [ -n "${NACOS_SERVER_JAR:-}" ] || install_rnacos
    started=$SECONDS
    deadline=$((SECONDS + NACOS_START_TIMEOUT))
    launch
    pid="$(cat "$PID_FILE")"
  fi
  until ready; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      die "the server exited during start (log: $LOG_FILE)"
    fi
    if start_broken_by_race && [ "$attempt" -lt 3 ]; then
      say "r-nacos hit its start-up race (a panic in its log); starting it again"
      stop_pid_file "$PID_FILE" "$NACOS_PORT" >/dev/null
      attempt=$((attempt + 1))
      launch
      pid="$(cat "$PID_FILE")"
      continue
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 40 "$LOG_FILE" >&2 || true
      die "no answer within ${NACOS_START_TIMEOUT} s (pid $pid still running; log: $LOG_FILE; stop it with: NACOS_PORT=$NACOS_PORT bash scripts/nacos.sh stop)"
    fi
    [ -n "${NACOS_SERVER_JAR:-}" ] && answers_http && init_java_admin
    sleep 0.2
  done
  say "started ${IMPL:-Nacos} on $BASE_URL (gRPC $NACOS_GRPC_PORT, console $NACOS_CONSOLE_PORT, auth $NACOS_AUTH, token ttl ${NACOS_TOKEN_TTL}s)"
  say "ready in $((SECONDS - started)) s, pid $pid, memory $(rss_mb "$pid"); log: $LOG_FILE"
}

stop_pid_file() {
  local pid_file="$1" label="$2" pid
  [ -f "$pid_file" ] || { printf '[nacos:%s] not running\n' "$label"; return 0; }
  pid="$(cat "$pid_file" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
    printf '[nacos:%s] stopped (pid %s)\n' "$label" "$pid"
  else
    printf '[nacos:%s] not running (stale pid file removed)\n' "$label"
  fi
  rm -f "$pid_file"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    if ready; then
      say "running (pid $pid) on $BASE_URL, memory $(rss_mb "$pid"); log: $LOG_FILE"
    else
      say "pid $pid is alive but does not answer on $BASE_URL; log: $LOG_FILE"
    fi
    return 0
  fi
  say "not running"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop_pid_file "$PID_FILE" "$NACOS_PORT" ;;
  stop-all)
    shopt -s nullglob
    pid_files=("$RUN_ROOT"/*/nacos.pid)
    [ "${#pid_files[@]}" -gt 0 ] || echo "[nacos] no server started by this script is running"
    for pid_file in "${pid_files[@]}"; do
      stop_pid_file "$pid_file" "$(basename "$(dirname "$pid_file")")"
    done
    ;;
  status) status ;;
  install) [ -n "${NACOS_SERVER_JAR:-}" ] || install_rnacos ;;
  *)
    echo "usage: bash scripts/nacos.sh start|stop|status|stop-all|install  (env: NACOS_PORT, NACOS_AUTH, NACOS_PASSWORD, NACOS_TOKEN_TTL, ...)" >&2
    exit 2
    ;;
esac
