#!/usr/bin/env bash
# Two builds of the detection core side by side: their `core_bench` binaries (parse + track over
# the fixture corpus) run in alternation, pinned to the same CPU, so that the machine's drift
# hits both. Prints each run's MB/s, the means and B/A. For a change to the core, measured
# against the build before it.
#
#   ab-core.sh CORE_BENCH_A CORE_BENCH_B [--rounds N] [--seconds S] [--cpu N]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
A="${1:-}" B="${2:-}"; shift 2 || true
[[ -x "$A" && -x "$B" ]] || die "usage: ab-core.sh CORE_BENCH_A CORE_BENCH_B [--rounds N] [--seconds S] [--cpu N]"
ROUNDS=5 SECS=2 CPU=0
while (($#)); do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --seconds) SECS="$2"; shift ;;
    --cpu) CPU="$2"; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done

# mb_per_s BINARY: one Google Benchmark run of parse + track, in MB/s.
mb_per_s() {
  taskset -c "$CPU" "$1" --benchmark_filter=BM_ParseAndTrack --benchmark_min_time="$SECS" \
    --benchmark_format=json 2>/dev/null |
    python3 -c 'import json, sys; print(round(json.load(sys.stdin)["benchmarks"][0]["bytes_per_second"] / 1e6, 1))'
}

for ((round = 1; round <= ROUNDS; round++)); do
  # The order alternates too: whichever runs first in a round may meet a colder cache.
  if ((round % 2)); then order=(A B); else order=(B A); fi
  for x in "${order[@]}"; do echo "$x $(mb_per_s "${!x}")"; done
done | awk '
  { print; sum[$1] += $2; n[$1]++ }
  END {
    a = sum["A"] / n["A"]; b = sum["B"] / n["B"]
    printf "mean MB/s: A %.1f, B %.1f; B/A %.3f (%d rounds)\n", a, b, b / a, n["A"]
  }'
