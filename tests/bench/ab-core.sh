#!/usr/bin/env bash
# Two builds of the detection core side by side: their `core_bench` binaries (parse + track over
# the fixture corpus) run in alternation, pinned to the same CPU, so that the machine's drift
# hits both. Prints each run's MB/s, the means and B/A. For a change to the core, measured
# against the build before it.
#
#   ab-core.sh CORE_BENCH_A CORE_BENCH_B [--rounds N] [--seconds S] [--cpu N] [--instructions]
#
# --instructions: instead of timing, count the instructions of one pass over the corpus with
# callgrind (valgrind). The count does not move with the machine's load, so a change of 1 %
# shows on a machine whose timings move by 20 %; it is not time (cache misses are not in it).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
A="${1:-}" B="${2:-}"; shift 2 || true
[[ -x "$A" && -x "$B" ]] || die "usage: ab-core.sh CORE_BENCH_A CORE_BENCH_B [--rounds N] [--seconds S] [--cpu N]"
ROUNDS=5 SECS=2 CPU=0 INSTRUCTIONS=""
while (($#)); do
  case "$1" in
    --instructions) INSTRUCTIONS=1; shift; continue ;;
    --rounds) ROUNDS="$2"; shift ;;
    --seconds) SECS="$2"; shift ;;
    --cpu) CPU="$2"; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done

# per_pass BINARY: instructions per pass over the corpus (run_corpus), under callgrind.
per_pass() {
  local out
  out=$(mktemp -t boshtap-core-cg.XXXXXX)
  valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect='*run_corpus*' \
    "$1" --benchmark_filter=BM_ParseAndTrack --benchmark_min_time=0.01 >/dev/null 2>&1
  # Every pass is counted: the benchmark's estimate and its measured iterations.
  python3 - "$out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
total = int(re.search(r"^summary: (\d+)", text, re.M).group(1))
names, calls, cfn = {}, 0, None
for line in text.splitlines():
    m = re.match(r"cfn=\((\d+)\)(?: (.*))?", line)
    if m:
        if m.group(2): names[m.group(1)] = m.group(2)
        cfn = names.get(m.group(1), "")
    elif line.startswith("calls=") and "run_corpus" in (cfn or ""):
        calls += int(line.split()[0][6:])
print(total // max(calls, 1))
PY
  rm -f "$out"
}

if [[ -n "$INSTRUCTIONS" ]]; then
  command -v valgrind >/dev/null || die "valgrind is not installed"
  a=$(per_pass "$A") b=$(per_pass "$B")
  awk -v a="$a" -v b="$b" 'BEGIN {
    printf "instructions per pass over the corpus: A %d, B %d; B/A %.4f\n", a, b, b / a }'
  exit 0
fi

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
