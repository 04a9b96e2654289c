#!/usr/bin/env bash
# Held long-polls: N concurrent BOSH sessions, each with one long-poll held by the stub, through
# boshtap, HAProxy and nginx as the relay (each with one thread / worker), one after another
# in the same run. Per relay: resident memory (VmRSS) before and while holding, bytes per held
# request (one client connection + one upstream connection + the request's state; for boshtap
# also the tap's BOSH session), and CPU while holding.
#
#   held-longpolls.sh BOSHTAP [--quick] [--count N] [--hold SECONDS] [--out FILE]
#
# The open-file limit is raised to the hard limit (each held request is two sockets in the
# relay); N is capped to fit it.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

BOSHTAP="${1:-}"; shift || true
[[ -x "$BOSHTAP" ]] || die "usage: held-longpolls.sh BOSHTAP_BINARY [--quick] [--count N] [--hold SECONDS] [--out FILE]"
BENCH_BIN="${BENCH_BIN:-$(cd "$(dirname "$BOSHTAP")/../../tests/bench" && pwd)}"
COUNT=8000 HOLD=30 OUT=""
while (($#)); do
  case "$1" in
    --quick) COUNT=2000; HOLD=8 ;;
    --count) COUNT="$2"; shift ;;
    --hold) HOLD="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done

ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
MAX_COUNT=$(( (NOFILE - 500) / 2 ))
if ((COUNT > MAX_COUNT)); then
  echo "open-file limit $NOFILE: held requests capped at $MAX_COUNT" >&2
  COUNT=$MAX_COUNT
fi

bench_init
TCK=$(clk_tck)
PORTS=$(free_ports 2) # waits for the helper to release them
read -r P_STUB P_RELAY <<<"$PORTS"
start stub "$BENCH_BIN/bosh_stub" --port "$P_STUB" "${BOSH_FIXTURE_FILES[@]}"
wait_port "$P_STUB"

# Resident memory of a relay: the process and its children (nginx's worker).
relay_rss() {
  local total=0 pid
  for pid in "$1" $(children_of "$1"); do total=$((total + $(rss_kb "$pid"))); done
  echo "$total"
}
relay_cpu() {
  local total=0 pid
  for pid in "$1" $(children_of "$1"); do total=$((total + $(cpu_ticks "$pid"))); done
  echo "$total"
}

# hold_round TAG COUNT : starts a client whose COUNT polls stay held until release(); sets
# HOLD_CLIENT
hold_round() {
  start "hold-$1-$2" "$BENCH_BIN/hold_client" --port "$P_RELAY" --count "$2"
  HOLD_CLIENT=$LAST_PID
}
wait_held() { # wait_held COUNT SECONDS
  local deadline=$((SECONDS + $2))
  until [[ "$(stub_stat "$P_STUB" held)" -ge "$1" ]]; do
    ((SECONDS < deadline)) || die "only $(stub_stat "$P_STUB" held) of $1 polls reached the stub"
    sleep 0.2
  done
}
release() {
  curl -s "http://127.0.0.1:$P_STUB/stub-release" >/dev/null
  wait "$HOLD_CLIENT" || die "hold client failed: $(tail -2 "$RUN_DIR"/hold-*.log)"
}

ROWS=()
measure() { # measure NAME PID
  local name="$1" pid="$2"
  # Warm-up: a small batch, so pools, allocator arenas and lazily built state exist before
  # the baseline reading.
  hold_round "$name-warmup" 200; wait_held 200 30; release
  sleep 1
  local rss0 rss1 rss2 cpu0 cpu1 t0 ramp
  rss0=$(relay_rss "$pid")
  t0=$SECONDS
  hold_round "$name" "$COUNT"
  wait_held "$COUNT" 180
  ramp=$((SECONDS - t0))
  rss1=$(relay_rss "$pid"); cpu0=$(relay_cpu "$pid")
  sleep "$HOLD"
  rss2=$(relay_rss "$pid"); cpu1=$(relay_cpu "$pid")
  release
  sleep 1
  local rss3; rss3=$(relay_rss "$pid")
  local per cpu
  per=$(( (rss2 - rss0) * 1024 / COUNT ))
  cpu=$(awk -v d=$((cpu1 - cpu0)) -v t="$TCK" -v s="$HOLD" 'BEGIN {printf "%.2f", d / t / s * 100}')
  echo "  $name: rss before ${rss0} KiB, all held ${rss1} KiB, after ${HOLD} s ${rss2} KiB, after release ${rss3} KiB; ${per} B per held request; cpu ${cpu} % while holding; ramp ${ramp} s" >&2
  ROWS+=("| $name | $rss0 | $rss2 | $(( (rss2 - rss0) / 1024 )) | $per | $rss3 | $cpu |")
  PER[$name]=$per
}
declare -A PER

echo "holding $COUNT long-polls for $HOLD s per relay (open-file limit $NOFILE)" >&2

start_boshtap boshtap 1 "$P_RELAY" "$P_STUB"; pid=$LAST_PID; wait_port "$P_RELAY"
measure boshtap "$pid"; stop "$pid"

haproxy_conf "$RUN_DIR/haproxy.cfg" 1 "$P_RELAY" "$P_STUB"
start haproxy haproxy -f "$RUN_DIR/haproxy.cfg" -db; pid=$LAST_PID; wait_port "$P_RELAY"
measure haproxy "$pid"; stop "$pid"

nginx_conf "$RUN_DIR/nginx.conf" 1 "$P_RELAY:$P_STUB"
start nginx nginx -c "$RUN_DIR/nginx.conf" -g "daemon off;"; pid=$LAST_PID; wait_port "$P_RELAY"
measure nginx "$pid"; stop "$pid"

{
  echo
  echo "## Held long-polls ($COUNT held for $HOLD s, one thread/worker each, open-file limit $NOFILE)"
  echo
  echo "| relay | RSS before KiB | RSS holding KiB | growth MiB | bytes per held request | RSS after release KiB | CPU % while holding |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "boshtap/HAProxy bytes per held request: $(awk -v a="${PER[boshtap]}" -v b="${PER[haproxy]}" 'BEGIN {printf "%.2f", b ? a / b : 0}'); boshtap/nginx: $(awk -v a="${PER[boshtap]}" -v b="${PER[nginx]}" 'BEGIN {printf "%.2f", b ? a / b : 0}')"
} | tee -a "${OUT:-/dev/null}"
exit 0
