#!/usr/bin/env bash
# `docker-compose config` on docker-compose.yml with a throw-away .env made by gen-secrets.sh,
# plus the properties the stack depends on. Needs no Docker engine.
# Usage: check-compose.sh SOURCE_DIR       Exit 77 (skipped) without docker-compose.
set -euo pipefail

src=${1:?usage: check-compose.sh SOURCE_DIR}
compose=${DOCKER_COMPOSE:-$(command -v docker-compose || true)}
[[ -n $compose ]] || { echo "SKIP: docker-compose not installed"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
verdict() {  # verdict DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}

"$src/docker/gen-secrets.sh" "$work/.env" >/dev/null
verdict "gen-secrets.sh wrote .env with mode 600" test "$(stat -c %a "$work/.env")" = 600
verdict "gen-secrets.sh filled every secret" bash -c "! grep -Eq '^[A-Z0-9_]+_(PASSWORD|KEY)=\$' '$work/.env'"
before=$(grep -E '_(PASSWORD|KEY)=' "$work/.env")
"$src/docker/gen-secrets.sh" "$work/.env" >/dev/null
verdict "gen-secrets.sh keeps existing secrets" test "$before" = "$(grep -E '_(PASSWORD|KEY)=' "$work/.env")"

# Every variable the compose file reads is documented in .env.example.
missing=$(grep -oE '\$\{[A-Z0-9_]+' "$src/docker-compose.yml" | cut -c3- | sort -u |
          while read -r v; do grep -q "^$v=" "$src/docker/.env.example" || echo "$v"; done)
verdict ".env.example lists every variable of docker-compose.yml${missing:+ (missing: $missing)}" test -z "$missing"

if ! "$compose" -f "$src/docker-compose.yml" --project-directory "$src" --env-file "$work/.env" \
        config >"$work/config.yml" 2>"$work/err"; then
    cat "$work/err"
    echo "FAIL docker-compose config"
    exit 1
fi
echo "ok   docker-compose config"
cfg=$work/config.yml

for svc in web openfire openfire-db openfire-seed provisioner jicofo jvb boshtap; do
    verdict "service $svc defined" grep -q "^  $svc:\$" "$cfg"
done
verdict "web routes BOSH/WebSocket to boshtap" grep -q 'XMPP_BOSH_URL_BASE: http://boshtap:5280' "$cfg"
verdict "boshtap forwards to Openfire's BOSH" grep -q 'BOSHTAP_UPSTREAM: http://openfire:7070/http-bind/' "$cfg"
verdict "boshtap forwards to Openfire's WebSocket" grep -q 'BOSHTAP_WS_UPSTREAM: ws://openfire:7070/ws/' "$cfg"
verdict "jicofo REST enabled (conference requests)" grep -q "JICOFO_ENABLE_REST: '1'" "$cfg"
verdict "no unpinned images (latest/unstable)" bash -c "! grep -E 'image: .*(:latest|:unstable|:stable)\$' '$cfg'"
verdict "every third-party image has a tag" bash -c "! grep -E 'image: [^:]+\$' '$cfg'"
verdict "secrets reached the services" bash -c "! grep -E '(PASSWORD|KEY): \"?\$' '$cfg'"

# Without .env the stack refuses to start instead of using empty passwords.
if "$compose" -f "$src/docker-compose.yml" --project-directory "$work/empty" config >/dev/null 2>&1; then
    echo "FAIL config accepted missing secrets"; failures=$((failures + 1))
else
    echo "ok   missing secrets are an error"
fi
exit $((failures > 0))
