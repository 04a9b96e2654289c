#!/usr/bin/env bash
# Detection core on one core (Google Benchmark): parse + track over the fixture corpus, pugixml
# alone over the same bodies (the baseline), and the event JSON line.
#
#   core.sh BOSHTAP [--quick] [--out FILE]     (core_bench is found beside the other helpers)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

BOSHTAP="${1:-}"; shift || true
[[ -x "$BOSHTAP" ]] || die "usage: core.sh BOSHTAP_BINARY [--quick] [--out FILE]"
BENCH_BIN="${BENCH_BIN:-$(cd "$(dirname "$BOSHTAP")/../../tests/bench" && pwd)}"
REPS=3 OUT=""
while (($#)); do
  case "$1" in
    --quick) REPS=1 ;;
    --out) OUT="$2"; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
[[ -x "$BENCH_BIN/core_bench" ]] || die "$BENCH_BIN/core_bench is not built (install libbenchmark-dev, reconfigure)"

bench_init
# Pinned to one CPU: "per core" figures. Repetitions give a median (Google Benchmark's own).
taskset -c 0 "$BENCH_BIN/core_bench" --benchmark_repetitions="$REPS" \
  --benchmark_report_aggregates_only="$( ((REPS > 1)) && echo true || echo false)" \
  --benchmark_format=json --benchmark_out="$RUN_DIR/core.json" --benchmark_out_format=json >/dev/null
python3 - "$RUN_DIR/core.json" "$REPS" <<'PY' | tee -a "${OUT:-/dev/null}"
import json, sys
data = json.load(open(sys.argv[1]))
reps = int(sys.argv[2])
rows = {}
for b in data["benchmarks"]:
    if reps > 1 and b.get("aggregate_name") != "median":
        continue
    rows[b["run_name"].split("/")[0]] = b
print()
print(f"## Detection core (one core, median of {reps} repetitions)")
print()
print("| benchmark | MB/s | items/s | note |")
print("|---|---|---|---|")
notes = {
    "BM_ParseAndTrack": "stanzas/s; BoshTap + Tracker over the corpus",
    "BM_PugixmlParseOnly": "stanzas/s; baseline: pugixml parse alone",
    "BM_EventJsonLine": "lines/s; core::to_json_line",
    "BM_EventFormatLine": "lines/s; the line the auditor writes (privacy policy applied)",
}
for name, b in rows.items():
    print(f"| {name} | {b['bytes_per_second'] / 1e6:.0f} | {b['items_per_second']:.0f} | {notes.get(name, '')} |")
pt, po = rows.get("BM_ParseAndTrack"), rows.get("BM_PugixmlParseOnly")
if pt and po:
    print()
    print(f"parse + track / parse alone: {pt['bytes_per_second'] / po['bytes_per_second']:.2f} "
          f"(corpus {pt.get('corpus_MB', 0):.2f} MB, {pt.get('bodies', 0):.0f} bodies, "
          f"{pt.get('events', 0):.0f} events per pass); target >= 400 MB/s")
PY
