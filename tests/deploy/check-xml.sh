#!/usr/bin/env bash
# Openfire seed files: the template is well-formed XML, renders with a test .env, and the
# rendered file is well-formed and has the autosetup settings the stack relies on.
# Usage: check-xml.sh SOURCE_DIR       Exit 77 (skipped) without xmllint.
set -euo pipefail

src=${1:?usage: check-xml.sh SOURCE_DIR}
command -v xmllint >/dev/null || { echo "SKIP: xmllint not installed (libxml2-utils)"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
verdict() {
    local what=$1; shift
    if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
xp() { xmllint --xpath "string($1)" "$work/openfire.xml"; }

tmpl=$src/docker/openfire/openfire.xml.tmpl
verdict "template well-formed" xmllint --noout "$tmpl"

"$src/docker/gen-secrets.sh" "$work/.env" >/dev/null
# A password with XML metacharacters must come out escaped.
# shellcheck source=/dev/null disable=SC2034 # exported by set -a for the child
if ! (set -a; . "$work/.env"; OPENFIRE_ADMIN_PASSWORD='p&<>"'"'"'w'
      OPENFIRE_XML_TEMPLATE=$tmpl "$src/docker/provisioner/provision.sh" render) >"$work/openfire.xml"; then
    echo "FAIL render"; exit 1
fi
verdict "rendered openfire.xml well-formed" xmllint --noout "$work/openfire.xml"
verdict "autosetup.run = true" test "$(xp /jive/autosetup/run)" = true
verdict "autosetup domain = meet.jitsi" test "$(xp /jive/autosetup/xmpp/domain)" = meet.jitsi
verdict "anonymous login enabled" test "$(xp /jive/autosetup/xmpp/auth/anonymous)" = true
verdict "escaped password round-trips" test "$(xp /jive/autosetup/admin/password)" = "p&<>\"'w"
verdict "user1 is focus" test "$(xp /jive/autosetup/users/user1/username)" = focus
verdict "user2 is the JVB user" test "$(xp /jive/autosetup/users/user2/username)" = jvb
verdict "register.inband = false" test "$(xp /jive/register/inband)" = false
verdict "httpbind.forwarded.enabled = true" test "$(xp /jive/httpbind/forwarded/enabled)" = true
verdict "xmpp.client.compression.policy = disabled" test "$(xp /jive/xmpp/client/compression/policy)" = disabled
verdict "plugin.restapi.enabled = true" test "$(xp /jive/plugin/restapi/enabled)" = true

# A missing variable is an error, not an empty value.
# shellcheck source=/dev/null
if (set -a; . "$work/.env"; unset JVB_AUTH_PASSWORD
    OPENFIRE_XML_TEMPLATE=$tmpl "$src/docker/provisioner/provision.sh" render) >/dev/null 2>&1; then
    echo "FAIL render accepted a missing variable"; failures=$((failures + 1))
else
    echo "ok   render refuses a missing variable"
fi
exit $((failures > 0))
