#!/usr/bin/env bash
# shellcheck disable=SC2016 # nginx variables in the grep patterns are literal
# `nginx -t` on every nginx config the project ships, each wrapped in a minimal nginx.conf in a
# throw-away prefix. Test-only upstream addresses are loopback; nothing is started.
# Usage: check-nginx.sh SOURCE_DIR        Exit 77 (skipped) when nginx is not installed.
set -euo pipefail

src=${1:?usage: check-nginx.sh SOURCE_DIR}
nginx_bin=${NGINX:-$(command -v nginx || true)}
if [[ -z $nginx_bin ]]; then
    echo "SKIP: nginx not installed"
    exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# write_conf NAME HTTP_INCLUDES SERVER_BODY
write_conf() {
    local dir=$work/$1
    mkdir -p "$dir/logs" "$dir/tmp"
    cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
error_log $dir/logs/error.log;
pid $dir/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    # Test-only resolver: nothing is resolved during -t.
    resolver 127.0.0.1 valid=10s;
$2
    server {
        listen 127.0.0.1:18080;
        server_name _;
        set \$prefix "";
$3
        # A site catch-all like the one in Jitsi's own config, after the drop-ins.
        location ~ ^/([^/?&:'"]+)/(.*)\$ { return 404; }
    }
}
CONF
}

check() {
    local name=$1
    if out=$("$nginx_bin" -t -q -p "$work/$name" -e "$work/$name/logs/error.log" \
                -c "$work/$name/nginx.conf" 2>&1); then
        echo "ok   $name"
    else
        echo "FAIL $name"
        printf '     %s\n' "${out//$'\n'/$'\n'     }"
        failures=$((failures + 1))
    fi
}

n=$src/nginx
write_conf single "    include $n/boshtap-upstream.conf;" \
    "        include $n/boshtap-locations.conf;"
check single

write_conf single-tenants "    include $n/boshtap-upstream.conf;" \
    "        include $n/boshtap-locations.conf;
        include $n/boshtap-tenant-locations.conf;"
check single-tenants

write_conf scaled-tenants "    include $n/boshtap-upstream-scaled.conf;" \
    "        include $n/boshtap-locations.conf;
        include $n/boshtap-tenant-locations.conf;"
check scaled-tenants

# The compose web container: its generated meet.conf defines /http-bind itself; our file is
# appended at server level. Reproduce the parts it relies on (a BOSH location without timeouts).
write_conf jitsi-web-custom-meet "" \
    "        location = /http-bind { proxy_pass http://127.0.0.1:5280/http-bind?prefix=\$prefix&\$args; }
        include $n/jitsi-web/custom-meet.conf;"
check jitsi-web-custom-meet

# The locations file must stay free of addresses: the integration tests define their own upstream.
if grep -nE '([0-9]{1,3}\.){3}[0-9]{1,3}|\[[0-9a-fA-F:]+\]|localhost' "$n/boshtap-locations.conf" \
        "$n/boshtap-tenant-locations.conf"; then
    echo "FAIL locations files contain an address"
    failures=$((failures + 1))
else
    echo "ok   locations files carry no address"
fi

# Names the integration tests rely on.
for f in boshtap-upstream.conf boshtap-upstream-scaled.conf; do
    if grep -q '^upstream boshtap {' "$n/$f" && grep -q 'map \$http_upgrade \$boshtap_connection' "$n/$f"; then
        echo "ok   $f defines upstream boshtap and \$boshtap_connection"
    else
        echo "FAIL $f must define upstream boshtap and map \$boshtap_connection"
        failures=$((failures + 1))
    fi
done
if grep -q 'hash \$arg_room consistent;' "$n/boshtap-upstream-scaled.conf"; then
    echo "ok   scaled upstream hashes on \$arg_room"
else
    echo "FAIL scaled upstream must hash on \$arg_room consistent"; failures=$((failures + 1))
fi

exit $((failures > 0))
