#!/usr/bin/env bash
# Event latency: time from the confirming response leaving boshtap to its line being in the
# event log file (inotify), over many joins spaced apart (event_latency.cpp says how).
# Baseline in the same run: the stub's round trip through boshtap for the same exchanges.
#
#   event-latency.sh BOSHTAP [--quick] [--joins N] [--out FILE]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

BOSHTAP="${1:-}"; shift || true
[[ -x "$BOSHTAP" ]] || die "usage: event-latency.sh BOSHTAP_BINARY [--quick] [--joins N] [--out FILE]"
BENCH_BIN="${BENCH_BIN:-$(cd "$(dirname "$BOSHTAP")/../../tests/bench" && pwd)}"
JOINS=2000 OUT=""
while (($#)); do
  case "$1" in
    --quick) JOINS=300 ;;
    --joins) JOINS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done

bench_init
PORTS=$(free_ports 2) # waits for the helper to release them
read -r P_STUB P_BT <<<"$PORTS"
start stub "$BENCH_BIN/bosh_stub" --port "$P_STUB" "${BOSH_FIXTURE_FILES[@]}"
wait_port "$P_STUB"
start_boshtap boshtap 1 "$P_BT" "$P_STUB"
wait_port "$P_BT"
# measure LABEL : one pass of joins; appends a table row
ROWS=()
measure() {
  local line
  line=$("$BENCH_BIN/event_latency" --port "$P_BT" --log "$RUN_DIR/boshtap-events.jsonl" --joins "$JOINS" --gap-ms 5)
  echo "  $1: $line" >&2
  field() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' <<<"$line"; }
  ROWS+=("$(awk -v l="$1" -v j="$(field joins)" -v s="$(field seen)" -v a="$(field p50_us)" -v b="$(field p99_us)" \
      -v c="$(field max_us)" -v r="$(field rtt_p50_us)" \
      'BEGIN {printf "| %s | %d | %d | %.3f | %.3f | %.3f | %.3f |", l, j, s, a / 1000, b / 1000, c / 1000, r / 1000}')")
}
measure idle
# Under load: wrk posts the fixture bodies straight to boshtap at about 1,500 requests/s
# (64 connections, 40 ms mean pause), so the auditor is busy parsing while the joins happen.
BENCH_FIXTURES="$BOSH_FIXTURES" BENCH_SESSIONS=64 BENCH_RUN=load BENCH_THINK_MS=40 \
  wrk -t1 -c64 -d600s -s "$BENCH_DIR/wrk/bosh-post.lua" "http://127.0.0.1:$P_BT/http-bind" >/dev/null &
LOAD=$!
BENCH_PIDS+=("$LOAD")
sleep 1
measure "~1500 req/s background"
kill "$LOAD" 2>/dev/null || true
{
  echo
  echo "## Event latency ($JOINS joins per pass, one at a time, 5 ms apart)"
  echo
  echo "| pass | joins | lines seen | p50 ms | p99 ms | max ms | exchange round trip p50 ms |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "(latency = line visible in the file - response received by the client; target p99 <= 5 ms)"
} | tee -a "${OUT:-/dev/null}"
