#!/usr/bin/env bash
# One-shot helper of the boshtap compose stack.
#   provision seed       render openfire.xml (autosetup) and fetch the REST API plugin into $SEED_DIR
#   provision provision  configure Openfire for Jitsi through the REST API; idempotent
#   provision render     print the rendered openfire.xml (used by the static checks)
# All settings come from the environment (.env through docker-compose.yml).
set -euo pipefail

SEED_DIR=${SEED_DIR:-/seed}
TEMPLATE=${OPENFIRE_XML_TEMPLATE:-/usr/local/share/boshtap/openfire.xml.tmpl}
OPENFIRE_URL=${OPENFIRE_URL:-http://openfire:9090}
REST=$OPENFIRE_URL/plugins/restapi/v1
WAIT_SECONDS=${PROVISION_WAIT_SECONDS:-300}

log() { echo "provision: $*"; }
die() { echo "provision: ERROR: $*" >&2; exit 1; }
need() { [[ -n ${!1:-} ]] || die "$1 is not set (run docker/gen-secrets.sh, see .env.example)"; }

# ---- seed ---------------------------------------------------------------------------------

TEMPLATE_VARS=(XMPP_DOMAIN OPENFIRE_FQDN OPENFIRE_PROPERTY_KEY OPENFIRE_DB_NAME OPENFIRE_DB_USER
               OPENFIRE_DB_PASSWORD OPENFIRE_ADMIN_EMAIL OPENFIRE_ADMIN_PASSWORD
               JICOFO_AUTH_PASSWORD JVB_AUTH_USER JVB_AUTH_PASSWORD)

xml_escape() {
    local s=$1
    # Quoted replacements: & is literal there (bash 5.2 patsub_replacement).
    s=${s//&/"&amp;"}; s=${s//</"&lt;"}; s=${s//>/"&gt;"}; s=${s//\"/"&quot;"}; s=${s//\'/"&apos;"}
    printf '%s' "$s"
}

render() {
    [[ -r $TEMPLATE ]] || die "template $TEMPLATE not readable"
    local text var value
    text=$(<"$TEMPLATE")
    for var in "${TEMPLATE_VARS[@]}"; do
        need "$var"
        value=$(xml_escape "${!var}")
        # Quoted replacement: no special meaning for & (bash 5.2 patsub_replacement).
        text=${text//"\${$var}"/"$value"}
    done
    local placeholder='\$\{[A-Z0-9_]+\}'
    if [[ $text =~ $placeholder ]]; then
        die "unrendered placeholder ${BASH_REMATCH[0]} left in $TEMPLATE"
    fi
    printf '%s\n' "$text"
}

seed() {
    mkdir -p "$SEED_DIR/plugins"
    render >"$SEED_DIR/openfire.xml.new"
    chmod 0644 "$SEED_DIR/openfire.xml.new"
    mv "$SEED_DIR/openfire.xml.new" "$SEED_DIR/openfire.xml"
    log "rendered $SEED_DIR/openfire.xml for domain $XMPP_DOMAIN"

    local jar=$SEED_DIR/plugins/restAPI.jar version=${RESTAPI_PLUGIN_VERSION:-}
    local url=${RESTAPI_PLUGIN_URL:-https://www.igniterealtime.org/projects/openfire/plugins/$version/restAPI.jar}
    if [[ -s $jar && -f $jar.version && $(<"$jar.version") == "$url" ]]; then
        log "REST API plugin already present ($url)"
    else
        need RESTAPI_PLUGIN_VERSION
        log "fetching REST API plugin from $url"
        curl -fsSL --retry 3 -o "$jar.tmp" "$url" || die "download of the REST API plugin failed"
        if [[ -n ${RESTAPI_PLUGIN_SHA256:-} ]]; then
            echo "$RESTAPI_PLUGIN_SHA256  $jar.tmp" | sha256sum -c --quiet - \
                || die "REST API plugin checksum mismatch"
        fi
        mv "$jar.tmp" "$jar"
        printf '%s' "$url" >"$jar.version"
    fi
}

# ---- provision ----------------------------------------------------------------------------

RESP=$(mktemp)
trap 'rm -f "$RESP"' EXIT

# api METHOD PATH [JSON]: the HTTP status goes to $status, the body to the file $RESP. Runs in
# the current shell (never in a pipeline), so $status is kept.
api() {
    local method=$1 path=$2 body=${3:-}
    local args=(-sS -o "$RESP" -w '%{http_code}' -X "$method" -u "admin:$OPENFIRE_ADMIN_PASSWORD"
                -H 'Accept: application/json')
    if [[ -n $body ]]; then args+=(-H 'Content-Type: application/json' --data "$body"); fi
    status=$(curl "${args[@]}" "$REST$path" 2>/dev/null) || status=000
}

expect() {  # expect WHAT STATUS...
    local what=$1; shift
    local s
    for s in "$@"; do [[ $status == "$s" ]] && return 0; done
    die "$what: HTTP $status"
}

wait_for_openfire() {
    local deadline=$((SECONDS + WAIT_SECONDS))
    log "waiting for Openfire's REST API at $REST (up to ${WAIT_SECONDS}s)"
    while :; do
        api GET /system/properties/xmpp.domain
        [[ $status == 200 ]] && break
        ((SECONDS < deadline)) || die "REST API not answering (last HTTP $status): is the plugin installed and plugin.restapi.enabled=true?"
        sleep 3
    done
    log "REST API is up"
}

set_property() {
    local key=$1 value=$2 current
    api GET "/system/properties/$key"
    current=$(jq -r '.value // empty' "$RESP" 2>/dev/null || true)
    if [[ $status == 200 && $current == "$value" ]]; then
        log "property $key = $value (unchanged)"
        return
    fi
    local body
    body=$(jq -cn --arg k "$key" --arg v "$value" '{key: $k, value: $v}')
    if [[ $status == 200 ]]; then
        api PUT "/system/properties/$key" "$body"; expect "update $key" 200 201
    else
        api POST /system/properties "$body"; expect "create $key" 200 201
    fi
    log "property $key = $value (set)"
}

ensure_user() {
    local user=$1 password=$2 name=$3 body
    body=$(jq -cn --arg u "$user" --arg p "$password" --arg n "$name" '{username: $u, password: $p, name: $n}')
    api GET "/users/$user"
    if [[ $status == 200 ]]; then
        # .env is authoritative: keep the password in step with it.
        api PUT "/users/$user" "$body"; expect "update user $user" 200
        log "user $user@$XMPP_DOMAIN exists (password synced)"
    else
        api POST /users "$body"; expect "create user $user" 201 200
        log "user $user@$XMPP_DOMAIN created"
    fi
}

ensure_muc_service() {
    local name=$1 description=$2 hidden=$3 body
    api GET /chatservices
    expect "list chat services" 200
    if jq -e --arg n "$name" \
            '[.. | objects | select(has("serviceName")) | .serviceName] | index($n) != null' \
            "$RESP" >/dev/null; then
        log "MUC service $name.$XMPP_DOMAIN exists"
        return
    fi
    body=$(jq -cn --arg n "$name" --arg d "$description" --argjson h "$hidden" \
        '{serviceName: $n, description: $d, hidden: $h}')
    api POST /chatservices "$body"; expect "create MUC service $name" 201 200
    log "MUC service $name.$XMPP_DOMAIN created"
}

ensure_brewery_room() {
    local service=$1 room=$2 body
    api GET "/chatrooms/$room?servicename=$service"
    if [[ $status == 200 ]]; then
        log "room $room@$service.$XMPP_DOMAIN exists"
        return
    fi
    # Persistent, open, unlimited, presence of every role broadcast (bridges find each other
    # and Jicofo finds them by presence). Rooms created through the REST API are unlocked.
    body=$(jq -cn --arg r "$room" --arg owner "focus@$XMPP_DOMAIN" '{
        roomName: $r, naturalName: $r, description: "Jitsi Videobridge brewery",
        maxUsers: 0, persistent: true, publicRoom: false, registrationEnabled: false,
        canAnyoneDiscoverJID: true, canOccupantsChangeSubject: false, canOccupantsInvite: false,
        canChangeNickname: true, logEnabled: false, loginRestrictedToNickname: false,
        membersOnly: false, moderated: false,
        broadcastPresenceRoles: ["moderator", "participant", "visitor"],
        owners: [$owner] }')
    api POST "/chatrooms?servicename=$service" "$body"
    expect "create room $room@$service" 201 200
    log "room $room@$service.$XMPP_DOMAIN created (persistent, unlocked)"
}

# MUC service settings live in ofMucServiceProp, which neither autosetup nor the REST API
# reach. Openfire reads them when the service starts: a change needs one Openfire restart.
muc_service_prop() {  # muc_service_prop SERVICE NAME VALUE -> prints "changed" when it wrote
    PGPASSWORD=$OPENFIRE_DB_PASSWORD psql -h openfire-db -U "$OPENFIRE_DB_USER" -d "$OPENFIRE_DB_NAME" \
        -v ON_ERROR_STOP=1 -qtA -v svc="$1" -v name="$2" -v value="$3" <<'SQL'
INSERT INTO ofMucServiceProp (serviceID, name, propValue)
SELECT serviceID, :'name', :'value' FROM ofMucService WHERE subdomain = :'svc'
ON CONFLICT (serviceID, name) DO UPDATE SET propValue = EXCLUDED.propValue
    WHERE ofMucServiceProp.propValue IS DISTINCT FROM EXCLUDED.propValue
RETURNING 'changed';
SQL
}

provision() {
    local v
    for v in XMPP_DOMAIN OPENFIRE_ADMIN_PASSWORD JICOFO_AUTH_PASSWORD JVB_AUTH_USER JVB_AUTH_PASSWORD \
             XMPP_MUC_SERVICE XMPP_INTERNAL_MUC_SERVICE JVB_BREWERY_MUC OPENFIRE_DB_NAME \
             OPENFIRE_DB_USER OPENFIRE_DB_PASSWORD; do
        need "$v"
    done
    wait_for_openfire

    set_property register.inband false
    set_property xmpp.auth.anonymous true
    set_property httpbind.forwarded.enabled true
    set_property xmpp.client.compression.policy disabled

    ensure_user focus "$JICOFO_AUTH_PASSWORD" "Jitsi conference focus"
    ensure_user "$JVB_AUTH_USER" "$JVB_AUTH_PASSWORD" "Jitsi Videobridge"

    ensure_muc_service "$XMPP_MUC_SERVICE" "Jitsi conferences" false
    ensure_muc_service "$XMPP_INTERNAL_MUC_SERVICE" "Jitsi internal (bridges, focus)" true
    ensure_brewery_room "$XMPP_INTERNAL_MUC_SERVICE" "$JVB_BREWERY_MUC"

    local changed="" focus="focus@$XMPP_DOMAIN" svc
    for svc in "$XMPP_MUC_SERVICE" "$XMPP_INTERNAL_MUC_SERVICE"; do
        # Jicofo must own every conference room, whoever created it (Prosody: admins = focus).
        changed+=$(muc_service_prop "$svc" sysadmin.jid "$focus")
    done
    # Openfire's default of 30 occupants per room; 0 = no limit.
    changed+=$(muc_service_prop "$XMPP_MUC_SERVICE" room.maxUsers "${OPENFIRE_MUC_MAX_USERS:-0}")
    if [[ ${OPENFIRE_MUC_RESTRICT_CREATION:-0} == 1 ]]; then
        changed+=$(muc_service_prop "$XMPP_MUC_SERVICE" create.anyone false)
        changed+=$(muc_service_prop "$XMPP_MUC_SERVICE" create.jid "$focus")
    fi

    if [[ -n $changed ]]; then
        log "MUC service settings written to the database (sysadmin $focus, room.maxUsers ${OPENFIRE_MUC_MAX_USERS:-0})."
        log "ACTION: restart Openfire once so its MUC services load them:  docker-compose restart openfire"
    else
        log "MUC service settings already in place"
    fi
    log "done: conferences on $XMPP_MUC_SERVICE.$XMPP_DOMAIN, brewery $JVB_BREWERY_MUC@$XMPP_INTERNAL_MUC_SERVICE.$XMPP_DOMAIN"
}

case ${1:-provision} in
    seed)      seed ;;
    provision) provision ;;
    render)    render ;;
    *)         die "usage: provision seed|provision|render" ;;
esac
