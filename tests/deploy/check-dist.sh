#!/usr/bin/env bash
# The systemd unit, logrotate file and default settings carry what the deployment relies on.
# Usage: check-dist.sh SOURCE_DIR
set -euo pipefail

src=${1:?usage: check-dist.sh SOURCE_DIR}
dist=$src/src/app/dist
failures=0
verdict() {
    local what=$1; shift
    if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
# shellcheck disable=SC2317 # called through verdict
has() { grep -qxF -- "$2" "$1"; }

unit=$dist/boshtap.service
# shellcheck disable=SC2016 # literal $MAINPID
for line in 'User=boshtap' 'ProtectSystem=strict' 'ReadWritePaths=/var/log/boshtap' \
            'Restart=on-failure' 'ExecReload=/bin/kill -HUP $MAINPID' \
            'EnvironmentFile=-/etc/default/boshtap' 'RestartPreventExitStatus=2' \
            'NoNewPrivileges=yes' 'WantedBy=multi-user.target'; do
    verdict "unit: $line" has "$unit" "$line"
done
if command -v systemd-analyze >/dev/null; then
    # The binary is not installed here: ignore only that complaint.
    out=$(systemd-analyze verify "$unit" 2>&1 | grep -v 'is not executable' || true)
    verdict "systemd-analyze verify${out:+: $out}" test -z "$out"
fi

rot=$dist/boshtap.logrotate
verdict "logrotate: rotates the event log" grep -q '^/var/log/boshtap/events.jsonl {' "$rot"
verdict "logrotate: reopens by SIGHUP (systemctl reload)" grep -q 'systemctl reload boshtap.service' "$rot"
verdict "logrotate: no copytruncate" bash -c "! grep -q copytruncate '$rot'"
verdict "logrotate: su boshtap adm" grep -q 'su boshtap adm' "$rot"
if command -v logrotate >/dev/null; then
    tmp=$(mktemp -d)
    sed 's/^    su boshtap adm$//' "$rot" >"$tmp/boshtap"
    verdict "logrotate -d parses the file" logrotate -d -s "$tmp/state" "$tmp/boshtap"
    rm -rf "$tmp"
fi

def=$dist/boshtap.default
for v in BOSHTAP_LISTEN BOSHTAP_UPSTREAM BOSHTAP_WS_UPSTREAM BOSHTAP_LOG_FILE; do
    verdict "default: $v set" grep -q "^$v=" "$def"
done
# Every BOSHTAP_* name used in the shipped files is an option of the CLI (read from the
# option table in src/app/config.cpp, so a new flag needs no edit here).
opts=$(grep -oE '^\s+\("[a-z][a-z-]*' "$src/src/app/config.cpp" | sed 's/^[[:space:]]*("//' |
       tr 'a-z-' 'A-Z_')
unknown=$(grep -ohE 'BOSHTAP_[A-Z_]+' "$def" "$src/docker-compose.yml" "$src/docker/Dockerfile" |
          sed 's/^BOSHTAP_//' | sort -u |
          grep -vxE 'EXTRA_ARGS|HEALTHCHECK|VERSION|WERROR|SANITIZE|TESTS|BENCH' |
          while read -r o; do [[ " ${opts//$'\n'/ } " == *" $o "* ]] || echo "$o"; done)
verdict "only known BOSHTAP_* options${unknown:+ (unknown: $unknown)}" test -z "$unknown"
exit $((failures > 0))
