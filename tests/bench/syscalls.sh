#!/usr/bin/env bash
# System calls per forwarded request (strace -c) under paced load, boshtap and then HAProxy
# (`nbthread 1`) in front of the same stub: wrk straight to the relay (keep-alive, as nginx's
# upstream connections are), 64 connections each pausing 20 ms between requests. Per-request
# counts do not depend on the machine's load.
#
#   syscalls.sh BOSHTAP [--threads N] [--seconds S] [--out FILE]
#
# BOSHTAP may also be bare_relay (built beside the stub): the relay with the audit left out.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
BOSHTAP="${1:-}"; shift || true
[[ -x "$BOSHTAP" ]] || die "usage: syscalls.sh BOSHTAP_BINARY [--threads N] [--seconds S] [--out FILE]"
BENCH_BIN="${BENCH_BIN:-$(cd "$(dirname "$BOSHTAP")/../../tests/bench" && pwd)}"
THREADS=1 SECS=8 OUT=""
while (($#)); do
  case "$1" in
    --threads) THREADS="$2"; shift ;;
    --seconds) SECS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
command -v strace >/dev/null || die "strace is not installed"
command -v haproxy >/dev/null || die "haproxy is not installed"
bench_init
stub_and_boshtap "$THREADS"
read -r P_HAP <<<"$(free_ports 1)"
haproxy_conf "$RUN_DIR/hap.cfg" "$THREADS" "$P_HAP" "$P_STUB"
start hap haproxy -f "$RUN_DIR/hap.cfg" -db; PID_HAP=$LAST_PID
wait_port "$P_HAP"

# count NAME PID PORT: strace -c of PID (all threads) while the paced load runs against PORT;
# the table goes to $RUN_DIR/NAME.strace, the request count to stdout.
count() {
  local line tracer
  P_BT="$3" direct_load warm 2 64 20 >/dev/null # sessions created, pools and buffers warm
  strace -c -f -p "$2" -o "$RUN_DIR/$1.strace" 2>/dev/null &
  tracer=$!
  sleep 0.5
  line=$(P_BT="$3" direct_load "$1" "$SECS" 64 20 | grep '^RESULT') || die "wrk failed on $1"
  kill -INT "$tracer"; wait "$tracer" || true
  sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line"
}
bt_requests=$(count bt "$PID" "$P_BT")
hap_requests=$(count hap "$PID_HAP" "$P_HAP")

# strace -c rows: % time, seconds, usecs/call, calls, [errors], syscall
python3 - "$RUN_DIR" "$bt_requests" "$hap_requests" "$THREADS" "$(basename "$BOSHTAP")" <<'PY' | tee -a "${OUT:-/dev/null}"
import sys
run_dir, bt_n, hap_n, threads, name = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
def table(path):
    rows = {}
    for line in open(path):
        f = line.split()
        if len(f) < 5 or not f[0].replace(".", "").isdigit() or f[-1] == "total":
            continue
        rows[f[-1]] = (int(f[3]), int(f[4]) if len(f) == 6 else 0)
    return rows
bt, hap = table(f"{run_dir}/bt.strace"), table(f"{run_dir}/hap.strace")
def rate(rows, call, n):
    return rows.get(call, (0, 0))[0] / n
def cell(rows, call, n):
    errors = rows.get(call, (0, 0))[1] / n
    return f"{rate(rows, call, n):.2f}" + (f" ({errors:.2f} failed)" if errors >= 0.005 else "")
print(f"\n## System calls per request ({threads} thread(s), paced: {name} {bt_n} requests, HAProxy {hap_n})\n")
print(f"| syscall | {name} | HAProxy |")
print("|---|---|---|")
calls = sorted(set(bt) | set(hap), key=lambda c: -(rate(bt, c, bt_n) + rate(hap, c, hap_n)))
for call in calls:
    if max(rate(bt, call, bt_n), rate(hap, call, hap_n)) >= 0.005:
        print(f"| {call} | {cell(bt, call, bt_n)} | {cell(hap, call, hap_n)} |")
total = lambda rows, n: sum(c for c, _ in rows.values()) / n
print(f"| **total** | **{total(bt, bt_n):.2f}** | **{total(hap, hap_n):.2f}** |")
PY
