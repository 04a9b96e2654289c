#!/usr/bin/env bash
# Where a relay's CPU per request goes: user space and kernel, per thread, for boshtap
# (`--threads 1`: its I/O thread and its auditor) and HAProxy (`nbthread 1`), each in front of
# the same stub with wrk straight to it (closed loop, keep-alive), in rotated rounds.
# Read from /proc/PID/task/TID/stat (utime, stime), so perf is not attached.
#
#   cpu-split.sh BOSHTAP [--rounds N] [--seconds S] [--conns N] [--think MS] [--bare]
#
# --bare: also bare_relay (boshtap's relay with the audit left out, built beside the stub) in
# the same rounds: what the relay stack costs alone, and so what the audit adds.
# --think MS: each connection pauses MS on average before each request (paced, the relays
# mostly idle between requests) instead of the closed loop at saturation.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
BOSHTAP="${1:-}"; shift || true
[[ -x "$BOSHTAP" ]] || die "usage: cpu-split.sh BOSHTAP_BINARY [--rounds N] [--seconds S] [--conns N] [--think MS] [--bare]"
BENCH_BIN="${BENCH_BIN:-$(cd "$(dirname "$BOSHTAP")/../../tests/bench" && pwd)}"
command -v haproxy >/dev/null || die "haproxy is not installed"
ROUNDS=3 SECS=5 CONNS=64 THINK="" BARE=0
while (($#)); do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --seconds) SECS="$2"; shift ;;
    --conns) CONNS="$2"; shift ;;
    --think) THINK="$2"; shift ;;
    --bare) BARE=1 ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
((BARE == 0)) || [[ -x "$BENCH_BIN/bare_relay" ]] || die "--bare: $BENCH_BIN/bare_relay is not built"
bench_init
read -r P_STUB P_BT P_HAP P_BARE <<<"$(free_ports 4)"
start stub "$BENCH_BIN/bosh_stub" --port "$P_STUB" "${BOSH_FIXTURE_FILES[@]}"
wait_port "$P_STUB"
declare -A PID PORT=([bt]="$P_BT" [hap]="$P_HAP" [bare]="$P_BARE")
start_boshtap bt 1 "$P_BT" "$P_STUB"; PID[bt]=$LAST_PID
paths=(bt hap)
if ((BARE)); then
  BOSHTAP="$BENCH_BIN/bare_relay" start_boshtap bare 1 "$P_BARE" "$P_STUB"; PID[bare]=$LAST_PID
  wait_port "$P_BARE"
  paths=(bt bare hap)
fi
haproxy_conf "$RUN_DIR/hap.cfg" 1 "$P_HAP" "$P_STUB"; start hap haproxy -f "$RUN_DIR/hap.cfg" -db
PID[hap]=$LAST_PID
wait_port "$P_BT"; wait_port "$P_HAP"

# thread_ticks PID: "name:tid utime stime" per thread
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" '{sub(/^[^(]*\(/, ""); n = $0; sub(/\).*$/, "", n); gsub(/ /, "_", n);
          sub(/^[^)]*\) /, ""); print n ":" tid, $12, $13}' "$t/stat" 2>/dev/null
  done | sort
}

# measure NAME PID PORT: one line per thread "name user_us_per_req kernel_us_per_req", then
# "requests N"
measure() {
  local before after line requests
  P_BT="$3" direct_load warm 1 "$CONNS" "$THINK" >/dev/null
  before=$(thread_ticks "$2")
  line=$(P_BT="$3" direct_load "$1" "$SECS" "$CONNS" "$THINK" | grep '^RESULT') || die "wrk failed"
  after=$(thread_ticks "$2")
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  join <(echo "$before") <(echo "$after") | awk -v t="$(clk_tck)" -v n="$requests" \
    '{u = ($4 - $2) / t * 1e6 / n; k = ($5 - $3) / t * 1e6 / n; if (u + k > 0.05) printf "%s %.2f %.2f\n", $1, u, k}'
  echo "requests $requests"
}

declare -A user kern
rows=()
for ((r = 1; r <= ROUNDS; r++)); do
  # Each round in a rotated order, so that no path always runs first.
  order=("${paths[@]:r % ${#paths[@]}}" "${paths[@]:0:r % ${#paths[@]}}")
  for path in "${order[@]}"; do
    while read -r name u k; do
      [[ "$name" == requests ]] && continue
      key="$path/${name%:*}"
      [[ -v "user[$key]" ]] || rows+=("$key")
      user[$key]+="$u " kern[$key]+="$k "
    done < <(measure "$path" "${PID[$path]}" "${PORT[$path]}")
  done
done

echo "| relay / thread | user µs/req | kernel µs/req | total µs/req |"
echo "|---|---|---|---|"
declare -A relay_total
for key in "${rows[@]}"; do
  u=$(tr ' ' '\n' <<<"${user[$key]}" | grep . | median)
  k=$(tr ' ' '\n' <<<"${kern[$key]}" | grep . | median)
  t=$(awk -v a="$u" -v b="$k" 'BEGIN {print a + b}')
  relay_total[${key%%/*}]=$(awk -v a="${relay_total[${key%%/*}]:-0}" -v b="$t" 'BEGIN {print a + b}')
  printf '| %s | %.1f | %.1f | %.1f |\n' "$key" "$u" "$k" "$t"
done
echo
echo "(medians over $ROUNDS rounds, $CONNS connections${THINK:+, $THINK ms mean pause before each request}, ${SECS} s each;" \
  "boshtap --threads 1, HAProxy nbthread 1;" \
  "threads under 0.05 µs/req are left out)"
echo
for path in "${paths[@]}"; do
  [[ "$path" == hap ]] && continue
  awk -v p="$path" -v t="${relay_total[$path]}" -v h="${relay_total[hap]}" \
    'BEGIN {printf "%s, all threads: %.1f µs per request, %.2f x HAProxy'"'"'s %.1f\n", p, t, t / h, h}'
done
