#!/usr/bin/env bash
# Container entrypoint for boshtap.
#   (no arguments) or options   run the proxy; options are added to the BOSHTAP_* environment
#   replay FILE...              run `boshtap replay`
#   --help | --version          passed through
#   any other command           executed as is (e.g. `bash` for debugging)
set -euo pipefail

if [[ $# -gt 0 && $1 != -* && $1 != replay ]]; then
    exec "$@"
fi

if [[ ${1:-} != replay && ${1:-} != --help && ${1:-} != -h && ${1:-} != --version ]]; then
    # Fail early with one clear line instead of a proxy that cannot write its log.
    log_file=${BOSHTAP_LOG_FILE:-/var/log/boshtap/events.jsonl}
    log_dir=$(dirname -- "$log_file")
    if [[ ! -d $log_dir || ! -w $log_dir ]]; then
        echo "boshtap-entrypoint: log directory $log_dir is missing or not writable by uid $(id -u)" >&2
        exit 2
    fi
    if [[ -z ${BOSHTAP_UPSTREAM:-} ]] && ! printf '%s\n' "$@" | grep -q '^--upstream'; then
        echo "boshtap-entrypoint: set BOSHTAP_UPSTREAM (e.g. http://openfire:7070/http-bind/)" >&2
        exit 2
    fi
fi

exec /usr/local/bin/boshtap "$@"
