#!/usr/bin/env bash
# Profile-guided build of boshtap (GCC). An instrumented build relays a BOSH load (wrk straight
# to boshtap, the bench stub as upstream, as the relay benchmarks drive it) and writes its
# profile as it exits; the same tree is then rebuilt from that profile. Code the load does not
# reach (WebSocket, error paths) keeps the usual -O2. Gain and method: docs/performance.md,
# run 14. The training doubles as a smoke test: any wrk error fails the build.
#
#   pgo-build.sh [BUILD_DIR]     default build/pgo; needs g++, cmake, ninja, wrk
#
# The last line printed is the optimised binary's path; the bench helpers are built beside it,
# so every script in tests/bench takes it as it takes the release binary.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
BUILD="$(realpath -m "${1:-$REPO_DIR/build/pgo}")"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"

configure() { # configure generate|use
  cmake -S "$REPO_DIR" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBOSHTAP_WERROR=ON \
    -DBOSHTAP_TESTS=OFF -DBOSHTAP_BENCH=ON -DBOSHTAP_PGO="$1" >/dev/null
}

echo "== instrumented build ($BUILD)" >&2
configure generate
find "$BUILD" -name '*.gcda' -delete # a profile of an older tree would not match its objects
cmake --build "$BUILD" --target boshtap bosh_stub >&2

echo "== training: BOSH load through the instrumented binary" >&2
# shellcheck disable=SC2034 # both are read by stub_and_boshtap (common.sh)
BOSHTAP="$BUILD/src/app/boshtap" BENCH_BIN="$BUILD/tests/bench"
bench_init
stub_and_boshtap "$(nproc)"
STUB_PID=${BENCH_PIDS[0]}
# Saturated at a typical and a large connection count, then paced (idle waits, timers).
for load in "64 8" "256 3" "16 4 5"; do
  read -r conns secs think <<<"$load"
  line=$(direct_load "train$conns" "$secs" "$conns" "$think" | grep '^RESULT') || die "wrk failed"
  echo "  $conns connections${think:+, ${think} ms pauses}: $line" >&2
  [[ $line =~ requests=([0-9]+).*errors=([0-9]+) ]] || die "unexpected wrk output: $line"
  ((BASH_REMATCH[1] >= 1000 && BASH_REMATCH[2] == 0)) || die "training load failed: $line"
done
# The stub shares boshtap's libraries: its own profile must not be written.
{ kill -KILL "$STUB_PID" && wait "$STUB_PID"; } 2>/dev/null || true
stop "$PID"            # boshtap writes the profile on its way out
profiles=$(find "$BUILD" -name '*.gcda' | wc -l)
((profiles > 0)) || die "no profile was written (did boshtap exit cleanly? see $RUN_DIR/bt.log)"
echo "  $profiles profile files" >&2

echo "== optimised build from the profile (boshtap, and the bench helpers beside it)" >&2
configure use
cmake --build "$BUILD" >&2
"$BUILD/src/app/boshtap" --version >&2
echo "$BUILD/src/app/boshtap"
