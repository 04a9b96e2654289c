#!/usr/bin/env bash
# Two boshtap builds side by side: one stub upstream, each binary in front of it in turn,
# wrk straight to the relay (closed loop, keep-alive, as nginx's upstream connections are), in
# rounds that alternate the order. Prints CPU per request and requests/s of each, and B/A.
# For a change to the relay path, measured against the build before it in the same run.
#
#   ab-relay.sh BOSHTAP_A BOSHTAP_B [--rounds N] [--seconds S] [--conns N] [--threads N] [--think MS]
#
# --think MS: each connection pauses MS on average before each request (paced) instead of the
# closed loop at saturation.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
A="${1:-}" B="${2:-}"; shift 2 || true
[[ -x "$A" && -x "$B" ]] || die "usage: ab-relay.sh BOSHTAP_A BOSHTAP_B [--rounds N] [--seconds S] [--conns N] [--threads N] [--think MS]"
# The stub from the build tree of B (or of A; BENCH_BIN overrides).
if [[ -z "${BENCH_BIN:-}" ]]; then
  for x in "$B" "$A"; do
    d="$(dirname "$x")/../../tests/bench"
    [[ -x "$d/bosh_stub" ]] && { BENCH_BIN="$(cd "$d" && pwd)"; break; }
  done
fi
[[ -x "${BENCH_BIN:-}/bosh_stub" ]] || die "bosh_stub not found beside either binary; set BENCH_BIN"
ROUNDS=5 SECS=5 CONNS=64 THREADS=1 THINK=""
while (($#)); do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --seconds) SECS="$2"; shift ;;
    --conns) CONNS="$2"; shift ;;
    --threads) THREADS="$2"; shift ;;
    --think) THINK="$2"; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
bench_init
read -r P_STUB <<<"$(free_ports 1)"
start stub "$BENCH_BIN/bosh_stub" --port "$P_STUB" "${BOSH_FIXTURE_FILES[@]}"
wait_port "$P_STUB"

# measure NAME BINARY: prints "cpu_us_per_req req_per_s"
measure() {
  local name="$1" line c0 c1 requests
  # shellcheck disable=SC2034 # read by start_boshtap (lib/common.sh)
  BOSHTAP="$2"
  read -r P_BT <<<"$(free_ports 1)"
  start_boshtap "$name" "$THREADS" "$P_BT" "$P_STUB"; local pid=$LAST_PID
  wait_port "$P_BT"
  direct_load warm 1 "$CONNS" "$THINK" >/dev/null
  c0=$(cpu_ticks "$pid")
  line=$(direct_load "$name" "$SECS" "$CONNS" "$THINK" | grep '^RESULT') || die "wrk failed"
  c1=$(cpu_ticks "$pid")
  stop "$pid"
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  awk -v c="$((c1 - c0))" -v t="$(clk_tck)" -v n="$requests" -v s="$SECS" \
    'BEGIN {printf "%.1f %.0f\n", c / t * 1e6 / n, n / s}'
}

echo "| round | A CPU µs/req | B CPU µs/req | B/A CPU | A req/s | B req/s | B/A req/s |"
echo "|---|---|---|---|---|---|---|"
ratios_cpu=() ratios_rps=()
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then read -r ca ra <<<"$(measure a "$A")"; read -r cb rb <<<"$(measure b "$B")"
  else read -r cb rb <<<"$(measure b "$B")"; read -r ca ra <<<"$(measure a "$A")"; fi
  rc=$(awk -v a="$ca" -v b="$cb" 'BEGIN {printf "%.3f", b / a}')
  rr=$(awk -v a="$ra" -v b="$rb" 'BEGIN {printf "%.3f", b / a}')
  ratios_cpu+=("$rc") ratios_rps+=("$rr")
  echo "| $r | $ca | $cb | $rc | $ra | $rb | $rr |"
done
echo
echo "median B/A: CPU per request $(printf '%s\n' "${ratios_cpu[@]}" | median), requests/s $(printf '%s\n' "${ratios_rps[@]}" | median)" \
  "($ROUNDS rounds, $CONNS connections${THINK:+, $THINK ms mean pause}, --threads $THREADS, ${SECS} s each)"
