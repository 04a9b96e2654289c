#!/usr/bin/env bash
# Entrypoint wrapper for the official Openfire image in the boshtap stack. Runs as root, like the
# image's own entrypoint, which it then executes.
#  * First start (no conf/ in the data volume): lay out the data volume the way the image does,
#    then put the rendered seed openfire.xml (with <autosetup>) in place. Openfire then sets
#    itself up without the web wizard.
#  * Every start: install the plugin jars from the seed volume (the REST API plugin) when they
#    differ from the installed ones.
# A configuration that finished setup (<setup>true</setup>) is never overwritten.
set -euo pipefail

OPENFIRE_DIR=${OPENFIRE_DIR:-/usr/local/openfire}
OPENFIRE_DATA_DIR=${OPENFIRE_DATA_DIR:-/var/lib/openfire}
OPENFIRE_USER=${OPENFIRE_USER:-openfire}
SEED_DIR=${SEED_DIR:-/seed}
IMAGE_ENTRYPOINT=${IMAGE_ENTRYPOINT:-/sbin/entrypoint.sh}

log() { echo "openfire-entrypoint: $*"; }
die() { echo "openfire-entrypoint: $*" >&2; exit 1; }

[[ -f $SEED_DIR/openfire.xml ]] || die "$SEED_DIR/openfire.xml missing: did the openfire-seed service run?"
[[ -x $IMAGE_ENTRYPOINT ]] || die "$IMAGE_ENTRYPOINT not found: the image layout changed, see docs/openfire.md"

conf=$OPENFIRE_DATA_DIR/conf
if [[ ! -d $conf ]]; then
    log "first start: initialising $OPENFIRE_DATA_DIR"
    for d in conf_org plugins_org resources/security_org; do
        [[ -d $OPENFIRE_DIR/$d ]] || die "$OPENFIRE_DIR/$d not found: the image layout changed"
    done
    mkdir -p "$OPENFIRE_DATA_DIR"
    cp -a "$OPENFIRE_DIR/conf_org" "$conf"
    cp -a "$OPENFIRE_DIR/plugins_org" "$OPENFIRE_DATA_DIR/plugins"
    cp -a "$OPENFIRE_DIR/resources/security_org" "$conf/security"
fi

if grep -q '<setup>true</setup>' "$conf/openfire.xml" 2>/dev/null; then
    log "Openfire is set up; leaving conf/openfire.xml alone"
else
    log "installing seed openfire.xml (autosetup runs on this start)"
    install -m 0640 "$SEED_DIR/openfire.xml" "$conf/openfire.xml"
fi

mkdir -p "$OPENFIRE_DATA_DIR/plugins"
shopt -s nullglob
for jar in "$SEED_DIR"/plugins/*.jar; do
    target=$OPENFIRE_DATA_DIR/plugins/$(basename -- "$jar")
    if ! cmp -s "$jar" "$target"; then
        log "installing plugin $(basename -- "$jar")"
        install -m 0644 "$jar" "$target"
    fi
done

chown -R "$OPENFIRE_USER:$OPENFIRE_USER" "$OPENFIRE_DATA_DIR"
exec "$IMAGE_ENTRYPOINT" "$@"
