#!/usr/bin/env bash
# Creates (or completes) .env for docker-compose.yml from docker/.env.example, filling every
# empty *_PASSWORD / *_KEY variable with a strong random value. Existing non-empty values are
# kept, so running it again never rotates a secret that Openfire already stored.
#   docker/gen-secrets.sh [ENV_FILE]      default: .env next to docker-compose.yml
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
example=$root/docker/.env.example
env_file=${1:-$root/.env}

secret() {  # 32 random bytes, URL-safe base64 without padding: 43 characters, ~256 bits
    head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

[[ -r $example ]] || { echo "gen-secrets: $example not found" >&2; exit 1; }
umask 077
if [[ ! -e $env_file ]]; then
    cp -- "$example" "$env_file"
    echo "gen-secrets: created $env_file from docker/.env.example"
fi
chmod 600 "$env_file"

# Variables of the example missing from an older .env are appended (with their defaults).
while IFS= read -r line; do
    [[ $line =~ ^([A-Z0-9_]+)= ]] || continue
    grep -q "^${BASH_REMATCH[1]}=" "$env_file" || { printf '%s\n' "$line" >>"$env_file"; \
        echo "gen-secrets: added ${BASH_REMATCH[1]}"; }
done <"$example"

tmp=$(mktemp "$env_file.XXXXXX")
trap 'rm -f "$tmp"' EXIT
filled=0
while IFS= read -r line || [[ -n $line ]]; do
    if [[ $line =~ ^([A-Z0-9_]+_(PASSWORD|KEY))=$ ]]; then
        line="${BASH_REMATCH[1]}=$(secret)"
        filled=$((filled + 1))
    fi
    printf '%s\n' "$line" >>"$tmp"
done <"$env_file"
mv -- "$tmp" "$env_file"
trap - EXIT
echo "gen-secrets: $filled secret(s) generated in $env_file (mode 600)"
