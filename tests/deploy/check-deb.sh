#!/usr/bin/env bash
# Builds the .deb from an already built tree with CPack and checks what it installs.
# Usage: check-deb.sh BUILD_DIR [BOSHTAP_BINARY]   Exit 77 (skipped) when packaging is not
# configured (src/app/dist not added to the build), the binary is not built yet, or dpkg-deb is
# missing.
set -euo pipefail

build=${1:?usage: check-deb.sh BUILD_DIR [BOSHTAP_BINARY]}
binary=${2:-}
if [[ -n $binary && ! -x $binary ]]; then
    echo "SKIP: $binary not built yet (build the boshtap target first)"
    exit 77
fi
cpack_bin=${CPACK:-cpack}
if [[ ! -f $build/CPackConfig.cmake ]]; then
    echo "SKIP: $build/CPackConfig.cmake not found (add_subdirectory(dist) in src/app/CMakeLists.txt)"
    exit 77
fi
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb not installed"; exit 77; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$out" && "$cpack_bin" -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1) || {
    cat "$out/cpack.log"; echo "FAIL cpack -G DEB"; exit 1; }
deb=$(find "$out" -maxdepth 1 -name 'boshtap_*.deb' | head -n1)
[[ -n $deb ]] || { cat "$out/cpack.log"; echo "FAIL no boshtap_*.deb produced"; exit 1; }
echo "ok   built $(basename -- "$deb")"

failures=0
contents=$(dpkg-deb -c "$deb" | awk '{print $1, $NF}')
expect_file() {  # expect_file PATH [MODE_PREFIX]
    local line
    line=$(grep -E " \./${1#/}\$" <<<"$contents" || true)
    if [[ -z $line ]]; then
        echo "FAIL missing $1"; failures=$((failures + 1))
    elif [[ -n ${2:-} && $line != "$2"* ]]; then
        echo "FAIL $1 has mode ${line%% *}, want $2"; failures=$((failures + 1))
    else
        echo "ok   $1"
    fi
}
expect_file /usr/bin/boshtap -rwxr-xr-x
expect_file /usr/lib/systemd/system/boshtap.service -rw-r--r--
expect_file /etc/default/boshtap -rw-r--r--
expect_file /etc/logrotate.d/boshtap -rw-r--r--
expect_file /usr/share/boshtap/nginx/boshtap-upstream.conf
expect_file /usr/share/boshtap/nginx/boshtap-upstream-scaled.conf
expect_file /usr/share/boshtap/nginx/boshtap-locations.conf
expect_file /usr/share/boshtap/nginx/boshtap-tenant-locations.conf
expect_file /usr/share/doc/boshtap/deploy.md

ctl=$out/control
dpkg-deb -e "$deb" "$ctl"
for f in postinst prerm postrm conffiles; do
    if [[ -f $ctl/$f ]]; then echo "ok   control/$f"; else echo "FAIL control/$f missing"; failures=$((failures + 1)); fi
done
verdict() {  # verdict DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
for f in /etc/default/boshtap /etc/logrotate.d/boshtap; do
    verdict "conffile $f" grep -qx "$f" "$ctl/conffiles"
done
verdict "postinst creates /var/log/boshtap (2750 boshtap:adm)" \
    grep -q 'install -d -o boshtap -g adm -m 2750 /var/log/boshtap' "$ctl/postinst"
verdict "postinst creates the system user" grep -q 'adduser --system' "$ctl/postinst"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libboost-json1.81.0 libboost-program-options1.81.0 libspdlog1.10 libfmt9 libssl3 adduser; do
    verdict "Depends $lib" grep -q "$lib" <<<"$depends"
done

# Install into a scratch root and start the packaged binary once, configured the way the unit
# does it (EnvironmentFile with BOSHTAP_* settings), on a free port with the log in the root.
root=$out/root
dpkg-deb -x "$deb" "$root"
verdict "packaged binary runs (--version)" "$root/usr/bin/boshtap" --version
# pugixml is linked in, so Depends may leave it out.
needed=$(objdump -p "$root/usr/bin/boshtap" | grep NEEDED || true)
verdict "packaged binary needs no libpugixml" test "${needed/libpugixml/}" = "$needed"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(
    set -a
    # shellcheck disable=SC1091
    . "$root/etc/default/boshtap"
    set +a
    BOSHTAP_LISTEN=127.0.0.1:$port BOSHTAP_ADMIN_LISTEN=127.0.0.1:0 \
        BOSHTAP_LOG_FILE=$root/var/log/boshtap/events.jsonl \
        exec "$root/usr/bin/boshtap" >"$out/run.log" 2>&1
) &
pid=$!
started=false
for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then started=true; break; fi
    sleep 0.1
done
verdict "packaged binary starts with /etc/default/boshtap and listens" $started
kill -TERM "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
verdict "packaged binary stops on SIGTERM with exit 0" test "$status" -eq 0
verdict "event log created with mode 0640" test "$(stat -c %a "$root/var/log/boshtap/events.jsonl" 2>/dev/null)" = 640
[[ $failures -eq 0 ]] || cat "$out/run.log"
exit $((failures > 0))
