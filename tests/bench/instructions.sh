#!/usr/bin/env bash
# User-space instructions per forwarded request, counted by callgrind: boshtap's relay threads
# and its auditor apart, and HAProxy (`nbthread 1`) in front of the same stub, driven alike
# (wrk straight to the relay, closed loop, keep-alive). Counts do not depend on what else runs
# on the machine, so a change that saves 2 % shows as 2 % even on a busy VM where CPU time moves
# by 10-20 % from run to run. Instructions are not time (cache misses, system calls and the
# kernel's share are not in them); cpu-split.sh gives the time.
#
#   instructions.sh BOSHTAP [--seconds S] [--conns N] [--top N]   (BENCH_KEEP=1 keeps the profiles)
#
# --top N: also print the N functions with the most inclusive instructions in boshtap's auditor
# and relay thread.
# BOSHTAP may also be bare_relay (built beside the stub): the relay with the audit left out.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
BOSHTAP="${1:-}"; shift || true
[[ -x "$BOSHTAP" ]] || die "usage: instructions.sh BOSHTAP_BINARY [--seconds S] [--conns N] [--top N]"
BENCH_BIN="${BENCH_BIN:-$(cd "$(dirname "$BOSHTAP")/../../tests/bench" && pwd)}"
command -v valgrind >/dev/null || die "valgrind is not installed"
command -v haproxy >/dev/null || die "haproxy is not installed"
SECS=10 CONNS=16 TOP=0
while (($#)); do
  case "$1" in
    --seconds) SECS="$2"; shift ;;
    --conns) CONNS="$2"; shift ;;
    --top) TOP="$2"; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
bench_init
read -r P_STUB P_BOSHTAP P_HAPROXY <<<"$(free_ports 3)"
start stub "$BENCH_BIN/bosh_stub" --port "$P_STUB" "${BOSH_FIXTURE_FILES[@]}"
wait_port "$P_STUB"

# profile NAME CMD...: the relay under callgrind on $P_BT; counting starts after a warm-up and
# stops after the measured load. Prints the measured request count.
profile() {
  local name="$1" pid line; shift
  start "$name" valgrind --tool=callgrind --separate-threads=yes \
    --callgrind-out-file="$RUN_DIR/$name.cg" "$@"
  pid=$LAST_PID
  wait_port "$P_BT"
  direct_load warm 3 "$CONNS" >/dev/null
  callgrind_control -z "$pid" >/dev/null 2>&1
  line=$(direct_load "$name" "$SECS" "$CONNS" | grep '^RESULT') || die "wrk failed"
  callgrind_control -d "$pid" >/dev/null 2>&1
  stop "$pid"
  sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line"
}

# The dump taken after the load, one file per thread (the files without the ".1" part hold what
# ran before the zeroing or after the dump).
dumps() { ls "$RUN_DIR/$1.cg".1* 2>/dev/null; }
total() { awk '/^summary:/ {s += $2} END {print s + 0}' "$@"; }

P_BT=$P_BOSHTAP
bt_requests=$(profile bt "$BOSHTAP" --listen "127.0.0.1:$P_BT" \
  --upstream "http://127.0.0.1:$P_STUB/http-bind" --log-file "$RUN_DIR/bt-events.jsonl" \
  --threads 1 --log-level warn)
auditor=() relay=()
for f in $(dumps bt); do
  if grep -q 'Auditor::drain' "$f"; then auditor+=("$f"); else relay+=("$f"); fi
done
((${#relay[@]})) || die "no per-thread profiles of boshtap in $RUN_DIR"
# bare_relay (the relay without the audit) has no auditor thread and writes no events.
audit_total=0 events=0
((${#auditor[@]} == 0)) || audit_total=$(total "${auditor[@]}")
[[ ! -f "$RUN_DIR/bt-events.jsonl" ]] || events=$(wc -l <"$RUN_DIR/bt-events.jsonl")

P_BT=$P_HAPROXY
haproxy_conf "$RUN_DIR/hap.cfg" 1 "$P_BT" "$P_STUB"
hap_requests=$(profile hap haproxy -f "$RUN_DIR/hap.cfg" -db)
mapfile -t hap_files < <(dumps hap)

awk -v r="$(total "${relay[@]}")" -v a="$audit_total" -v n="$bt_requests" \
  -v h="$(total "${hap_files[@]}")" -v hn="$hap_requests" -v ev="$events" -v c="$CONNS" \
  -v s="$SECS" -v bin="$(basename "$BOSHTAP")" 'BEGIN {
  relay = r / n; audit = a / n; hap = h / hn
  printf "## User-space instructions per request (callgrind, %d connections, %d s)\n\n", c, s
  print "| | instructions per request | / HAProxy |"
  print "|---|---|---|"
  printf "| HAProxy (nbthread 1), %d requests | %.0f | 1.00 |\n", hn, hap
  printf "| %s relay (I/O thread), %d requests | %.0f | %.2f |\n", bin, n, relay, relay / hap
  if (a == 0) { printf "\n%s has no auditor thread.\n", bin; exit }
  printf "| %s auditor (parse, track, event lines) | %.0f | %.2f |\n", bin, audit, audit / hap
  printf "| %s total | %.0f | %.2f |\n", bin, relay + audit, (relay + audit) / hap
  printf "\nEvent lines written by %s over the whole run: %d (the stub replays joins and leaves: far more than a real deployment).\n", bin, ev
}'

if ((TOP > 0)); then
  for part in auditor relay; do
    declare -n files="$part"
    ((${#files[@]})) || continue
    echo
    echo "### $(basename "$BOSHTAP") $part: inclusive instructions per request, top $TOP"
    echo
    # A function inlined into several files is listed once per file: the first (largest) counts.
    { callgrind_annotate --inclusive=yes --auto=no --threshold=100 "${files[0]}" 2>/dev/null || true; } |
      awk -v n="$bt_requests" '/^ *[0-9,]+ \( *[0-9.]+%\)/ {
        v = $1; gsub(",", "", v)
        name = $0
        sub(/^ *[0-9,]+ \( *[0-9.]+%\) +/, "", name)       # the count and its share
        sub(/^([^ :]*\/[^ :]*|\?\?\?):/, "", name)       # the source file
        gsub(/\(anonymous namespace\)::/, "", name)
        sub(/ *\[[^]]*\]$/, "", name); sub(/\(.*$/, "", name); sub(/\[abi:cxx11\]/, "", name)
        if (name ~ /^(PROGRAM TOTALS|clone|main|__libc_start_main.*|0x.*|pugi::impl::)?$/ ||
            name ~ /run_proxy|run_io|Server::run|start_thread|_State_impl|io_context::run|scheduler::|wait_handler|executor_op/) next
        if (seen[name]++) next
        printf "%8.0f  %s\n", v / n, substr(name, 1, 110) }' | head -n "$TOP" || true
    unset -n files
  done
fi
