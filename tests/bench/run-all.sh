#!/usr/bin/env bash
# Every benchmark, one after another, with one report: relay throughput and latency, held
# long-polls, the detection core, event latency. Builds nothing: give it the release binary
#   cmake --preset release -DBOSHTAP_BENCH=ON && cmake --build --preset release
#   tests/bench/run-all.sh build/release/src/app/boshtap [--quick] [--out report.md]
# Full: about 13 minutes; --quick: under 3.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BOSHTAP="${1:-}"; shift || true
[[ -x "$BOSHTAP" ]] || { echo "usage: run-all.sh BOSHTAP_BINARY [--quick] [--out FILE]" >&2; exit 2; }
BOSHTAP="$(cd "$(dirname "$BOSHTAP")" && pwd)/$(basename "$BOSHTAP")"
QUICK=() OUT=""
while (($#)); do
  case "$1" in
    --quick) QUICK=(--quick) ;;
    --out) OUT="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
OUT="${OUT:-$(mktemp -t boshtap-bench-report.XXXXXX.md)}"
{
  echo "# boshtap benchmarks $(date -u +%FT%TZ)${QUICK:+ (quick)}"
  echo
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT"
"$HERE/relay-throughput.sh" "$BOSHTAP" "${QUICK[@]}" --out "$OUT" >/dev/null
"$HERE/held-longpolls.sh" "$BOSHTAP" "${QUICK[@]}" --out "$OUT" >/dev/null
"$HERE/core.sh" "$BOSHTAP" "${QUICK[@]}" --out "$OUT" >/dev/null
"$HERE/event-latency.sh" "$BOSHTAP" "${QUICK[@]}" --out "$OUT" >/dev/null
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT"
cat "$OUT"
echo "(report: $OUT)" >&2
