#!/usr/bin/env bash
# Line and branch coverage of the core reached by a fuzz corpus (clang source-based coverage).
#
#   tests/fuzz/coverage.sh [CORPUS_ROOT]
#
# CORPUS_ROOT holds one directory per target (default: the committed seeds, tests/fuzz/corpus);
# the regressions are always added. Builds build/fuzz-cov, replays every input once per target
# and prints llvm-cov's report for src/core, all targets merged.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CORPORA="${1:-$ROOT/tests/fuzz/corpus}"
BUILD="$ROOT/build/fuzz-cov"
cmake -S "$ROOT/tests/fuzz" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBOSHTAP_FUZZ_COVERAGE=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
rm -rf "$BUILD/profiles"; mkdir -p "$BUILD/profiles"
objects=()
for target in bosh_sequence ws_messages transcript_replay; do
  LLVM_PROFILE_FILE="$BUILD/profiles/$target.profraw" "$BUILD/fuzz_$target" -runs=0 \
    "$CORPORA/$target" "$ROOT/tests/fuzz/regressions/$target" >/dev/null 2>&1
  echo "$target: $(find "$CORPORA/$target" -type f | wc -l) inputs replayed"
  objects+=(-object "$BUILD/fuzz_$target")
done
llvm-profdata merge -sparse "$BUILD"/profiles/*.profraw -o "$BUILD/profiles/all.profdata"
llvm-cov report "${objects[@]:1}" -instr-profile="$BUILD/profiles/all.profdata" \
  "$ROOT/src/core" "$ROOT/include/boshtap/core"
