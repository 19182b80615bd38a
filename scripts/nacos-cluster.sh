#!/usr/bin/env bash
# A 3-node Nacos cluster on 127.0.0.1, every member started through scripts/nacos.sh.
#
#   bash scripts/nacos-cluster.sh start | stop | status | kill N | start-node N | addr
#
# NACOS_SERVER picks the server as for nacos.sh (default rnacos; nacos-3.0.3 and nacos-2.5.1 run in
# cluster mode with their embedded storage, no external database). Members listen on
# NACOS_CLUSTER_PORT (default 8848), +10 and +20: an official member also takes its port -1000
# (Raft), +1000 and +1001 (gRPC) and +2000 (console), so they stay apart.
#   NACOS_CLUSTER_SIZE=3       members
#   NACOS_CLUSTER_STAGGER      seconds between starting members (default 0 for r-nacos, whose
#                              first member must answer before the others join; 5 for official ones)
# `kill N` SIGKILLs member N (a crash, for failure tests); `start-node N` starts it again, empty,
# and it rejoins (an r-nacos member joins through another member). `addr` prints the server-addr a client is given: 127.0.0.1:p1,127.0.0.1:p2,...
# Other settings (NACOS_AUTH, NACOS_PASSWORD, NACOS_JAVA_HEAP, ...) pass through to nacos.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NACOS_SERVER="${NACOS_SERVER:-rnacos}"
NACOS_CLUSTER_PORT="${NACOS_CLUSTER_PORT:-8848}"
NACOS_CLUSTER_SIZE="${NACOS_CLUSTER_SIZE:-3}"
case "$NACOS_CLUSTER_PORT" in '' | *[!0-9]*) echo "[nacos-cluster] error: NACOS_CLUSTER_PORT must be a port number, found '$NACOS_CLUSTER_PORT'" >&2; exit 1 ;; esac
case "$NACOS_CLUSTER_SIZE" in '' | *[!0-9]* | 0 | 1) echo "[nacos-cluster] error: NACOS_CLUSTER_SIZE must be 2 or more, found '$NACOS_CLUSTER_SIZE'" >&2; exit 1 ;; esac
if [ "$NACOS_SERVER" = rnacos ]; then default_stagger=0; else default_stagger=5; fi
NACOS_CLUSTER_STAGGER="${NACOS_CLUSTER_STAGGER:-$default_stagger}"

ports=()
for i in $(seq 1 "$NACOS_CLUSTER_SIZE"); do ports+=($((NACOS_CLUSTER_PORT + 10 * (i - 1)))); done
port_list="$(IFS=,; printf '%s' "${ports[*]}")"

node() {
  local n="$1"
  shift
  case "$n" in '' | *[!0-9]*) echo "[nacos-cluster] error: a member number 1..$NACOS_CLUSTER_SIZE, found '$n'" >&2; exit 1 ;; esac
  [ "$n" -ge 1 ] && [ "$n" -le "$NACOS_CLUSTER_SIZE" ] || { echo "[nacos-cluster] error: member $n: there are $NACOS_CLUSTER_SIZE" >&2; exit 1; }
  NACOS_SERVER="$NACOS_SERVER" NACOS_PORT="${ports[$((n - 1))]}" NACOS_CLUSTER_PORTS="$port_list" \
    NACOS_CLUSTER_NODE="$n" bash "$root/scripts/nacos.sh" "$@"
}

start_all() {
  local started=$SECONDS pids=() n first=1 failed=0
  # Build once, before members start side by side.
  bash "$root/scripts/nacos.sh" install "$NACOS_SERVER" >/dev/null
  if [ "$NACOS_SERVER" = rnacos ]; then
    # r-nacos: member 1 forms the Raft cluster; the others join it, so it must answer first.
    node 1 start
    first=2
  fi
  for n in $(seq "$first" "$NACOS_CLUSTER_SIZE"); do
    node "$n" start &
    pids+=($!)
    [ "$n" -lt "$NACOS_CLUSTER_SIZE" ] && sleep "$NACOS_CLUSTER_STAGGER"
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { echo "[nacos-cluster] error: a member did not start (see above)" >&2; exit 1; }
  [ "$NACOS_SERVER" = rnacos ] || settle
  echo "[nacos-cluster] $NACOS_SERVER cluster of $NACOS_CLUSTER_SIZE ready in $((SECONDS - started)) s: $(addr)"
}

# An official member answers (and says it is ready) before it sees the others UP and before it
# has loaded their instances (Distro); a registration it takes meanwhile can be lost. Waits for both.
settle() {
  local deadline=$((SECONDS + ${NACOS_START_TIMEOUT:-240})) p path=/nacos/v3/admin/core/cluster/node/list
  case "$NACOS_SERVER" in nacos-2.*) path=/nacos/v1/core/cluster/nodes ;; esac
  for p in "${ports[@]}"; do
    local log="${NACOS_RUN_ROOT:-${SC_CACHE_DIR:-$HOME/.cache/service-caller}/nacos-run}/$p/home/logs/protocol-distro.log"
    until [ "$(curl -s -m 3 "http://127.0.0.1:$p$path" 2>/dev/null | grep -o '"state":"UP"' | wc -l)" -ge "$NACOS_CLUSTER_SIZE" ] &&
      grep -q 'load snapshot data success' "$log" 2>/dev/null; do
      [ "$SECONDS" -lt "$deadline" ] || { echo "[nacos-cluster] error: member $p did not see every member UP and load their data (Distro) in time; log: $log" >&2; exit 1; }
      sleep 0.5
    done
  done
}

addr() {
  local p out=()
  for p in "${ports[@]}"; do out+=("127.0.0.1:$p"); done
  (IFS=,; printf '%s\n' "${out[*]}")
}

case "${1:-}" in
  start) start_all ;;
  stop) for n in $(seq 1 "$NACOS_CLUSTER_SIZE"); do node "$n" stop; done ;;
  status)
    rc=0
    for n in $(seq 1 "$NACOS_CLUSTER_SIZE"); do node "$n" status || rc=1; done
    exit "$rc"
    ;;
  kill) node "${2:-}" kill ;;
  start-node)
    n="${2:-}"
    if [ "$NACOS_SERVER" != rnacos ]; then
      node "$n" start # official members find each other by the member list
      exit $?
    fi
    # r-nacos: join through a member that is not this one. A join can stall: once, under load 12,
    # a restarted member never answered in 240 s. So each try gets a shorter bound
    # (NACOS_RNACOS_JOIN_TIMEOUT, 60 s), and a stalled one is killed and tried through another member.
    others=()
    for i in $(seq 1 "$NACOS_CLUSTER_SIZE"); do [ "$i" = "$n" ] || others+=("$i"); done
    for join in "${others[@]}" "${others[@]}"; do
      if NACOS_CLUSTER_JOIN="$join" NACOS_START_TIMEOUT="${NACOS_RNACOS_JOIN_TIMEOUT:-60}" node "$n" start; then
        exit 0
      fi
      echo "[nacos-cluster] member $n did not join through member $join; trying again" >&2
      node "$n" kill >/dev/null 2>&1 || true
    done
    echo "[nacos-cluster] error: member $n did not rejoin the cluster" >&2
    exit 1
    ;;
  addr) addr ;;
  *)
    echo "usage: bash scripts/nacos-cluster.sh start|stop|status|kill N|start-node N|addr  (env: NACOS_SERVER, NACOS_CLUSTER_PORT, NACOS_CLUSTER_SIZE, ...)" >&2
    exit 2
    ;;
esac
