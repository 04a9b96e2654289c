#!/usr/bin/env bash
# Docker HEALTHCHECK for boshtap, with bash only (no curl in the image).
# Default: GET /healthz on the admin endpoint (BOSHTAP_ADMIN_LISTEN): the auditor is alive, the
# upstream is reachable and the event log is writable. BOSHTAP_HEALTHCHECK=tcp only checks that
# the listen port accepts connections (for a container run without the admin endpoint).
set -uo pipefail

# host:port from BOSHTAP_LISTEN; a wildcard address is probed on loopback.
listen=${BOSHTAP_LISTEN:-127.0.0.1:5280}
port=${listen##*:}
host=${listen%:*}
host=${host#[}; host=${host%]}
case $host in 0.0.0.0|'') host=127.0.0.1 ;; ::) host=::1 ;; esac
admin=${BOSHTAP_ADMIN_LISTEN:-127.0.0.1:9090}
admin_port=${admin##*:}
admin_host=${admin%:*}
case $admin_host in 0.0.0.0|'') admin_host=127.0.0.1 ;; esac

tcp_check() {
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    exec 3>&-
    exit 0
}

http_check() {
    local status
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$3" "$1" >&3
    IFS=' ' read -r -t 4 _ status _ <&3 || exit 1
    exec 3>&-
    [[ $status == 200 ]] && exit 0
    exit 1
}

mode=${BOSHTAP_HEALTHCHECK:-http}
case $mode in
    tcp)  tcp_check "$host" "$port" ;;
    http) http_check "$admin_host" "$admin_port" /healthz ;;
    *)    echo "boshtap-healthcheck: BOSHTAP_HEALTHCHECK must be tcp or http" >&2; exit 1 ;;
esac
