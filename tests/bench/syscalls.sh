#!/usr/bin/env bash
# System calls per forwarded request (strace -c) on boshtap under paced load: wrk straight to
# boshtap (keep-alive, as nginx's upstream connections are), 64 connections each pausing 20 ms
# between requests, the stub as upstream. Per-request counts do not depend on the machine's load.
#
#   syscalls.sh BOSHTAP [--threads N] [--seconds S] [--out FILE]
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
bench_init
stub_and_boshtap "$THREADS"
load() { direct_load "$1" "$2" 64 20; } # load NAME SECONDS: 64 connections, 20 ms think
load warm 2 >/dev/null # sessions created, pool and buffers warm
strace -c -f -p "$PID" -o "$RUN_DIR/strace.txt" 2>/dev/null &
STRACE=$!
sleep 0.5
line=$(load measure "$SECS" | grep '^RESULT') || die "wrk failed"
kill -INT "$STRACE"; wait "$STRACE" || true
requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
# strace -c rows: % time, seconds, usecs/call, calls, [errors], syscall
python3 - "$RUN_DIR/strace.txt" "$requests" "$THREADS" <<'PY' | tee -a "${OUT:-/dev/null}"
import sys
path, requests, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = []
for line in open(path):
    f = line.split()
    if len(f) < 5 or not f[0].replace(".", "").isdigit() or f[-1] == "total":
        continue
    errors = int(f[4]) if len(f) == 6 else 0
    rows.append((f[-1], int(f[3]), errors))
rows.sort(key=lambda r: -r[1])
print(f"\n## System calls per request (boshtap --threads {threads}, {requests} requests, paced)\n")
print("| syscall | per request | of which errors |")
print("|---|---|---|")
for name, calls, errors in rows:
    if calls / requests >= 0.005:
        print(f"| {name} | {calls / requests:.2f} | {errors / requests:.2f} |")
print(f"| **total** | **{sum(r[1] for r in rows) / requests:.2f}** | |")
PY
