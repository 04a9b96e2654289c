#!/usr/bin/env bash
# Runs shellcheck on every shell script the deployment ships (and on these checks).
# Usage: check-shell.sh SOURCE_DIR       Exit 77 (skipped) without shellcheck.
set -euo pipefail

src=${1:?usage: check-shell.sh SOURCE_DIR}
command -v shellcheck >/dev/null || { echo "SKIP: shellcheck not installed"; exit 77; }

mapfile -t scripts < <(
    cd "$src" && {
        find docker tests/deploy -type f -name '*.sh'
        find src/app/dist/debian -type f \( -name postinst -o -name prerm -o -name postrm \)
    } | sort)
((${#scripts[@]} >= 8)) || { echo "FAIL expected at least 8 scripts, found ${#scripts[@]}"; exit 1; }
failures=0
for s in "${scripts[@]}"; do
    if (cd "$src" && shellcheck -x "$s"); then echo "ok   $s"; else echo "FAIL $s"; failures=$((failures + 1)); fi
done
exit $((failures > 0))
