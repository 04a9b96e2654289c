#!/usr/bin/env bash
# Where boshtap's relay CPU goes: wrk straight to boshtap (closed loop, keep-alive, as nginx's
# upstream connections are) with the stub as upstream, `perf record` on boshtap meanwhile.
# Prints the top of the flat profile (self time) per thread and per library.
#
#   profile-relay.sh BOSHTAP [--threads N] [--conns N] [--seconds S]   (PROFILE_KEEP=FILE keeps perf.data)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
BOSHTAP="${1:-}"; shift || true
[[ -x "$BOSHTAP" ]] || die "usage: profile-relay.sh BOSHTAP_BINARY [--threads N] [--conns N] [--seconds S]"
BENCH_BIN="${BENCH_BIN:-$(cd "$(dirname "$BOSHTAP")/../../tests/bench" && pwd)}"
THREADS=1 CONNS=64 SECS=8
while (($#)); do
  case "$1" in
    --threads) THREADS="$2"; shift ;;
    --conns) CONNS="$2"; shift ;;
    --seconds) SECS="$2"; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
command -v perf >/dev/null || die "perf is not installed"
bench_init
stub_and_boshtap "$THREADS"
load() { direct_load "$1" "$2" "$CONNS"; } # load NAME SECONDS: closed loop
load warm 2 >/dev/null
c0=$(cpu_ticks "$PID")
perf record -F 1999 -g --call-graph dwarf,16384 -p "$PID" -o "$RUN_DIR/perf.data" -- sleep "$SECS" \
  >/dev/null 2>&1 &
PERF=$!
line=$(load measure "$SECS" | grep '^RESULT') || die "wrk failed"
wait "$PERF" || true
c1=$(cpu_ticks "$PID")
if [[ -n "${PROFILE_KEEP:-}" ]]; then cp "$RUN_DIR/perf.data" "$PROFILE_KEEP"; echo "perf data: $PROFILE_KEEP"; fi
requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
echo "$requests requests; boshtap CPU $(awk -v c="$((c1 - c0))" -v t="$(clk_tck)" -v n="$requests" \
  'BEGIN {printf "%.1f", c / t * 1e6 / n}') us per request (with perf attached)"
echo "--- by thread and library ---"
perf report -i "$RUN_DIR/perf.data" --no-children --sort comm,dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -12
echo "--- by thread ---"
perf report -i "$RUN_DIR/perf.data" --no-children --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -5
echo "--- by function (self) ---"
perf report -i "$RUN_DIR/perf.data" --no-children --sort comm,sym --stdio --no-call-graph 2>/dev/null \
  | grep -E '^ +[0-9]' | head -40 || true
