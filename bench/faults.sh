#!/usr/bin/env bash
# The fault suite (bench/faults.py): each fault injected into a real Fetchbus on 127.0.0.1, with what the service
# did, time to recover, results lost and requests failed. Needs root (tmpfs mounts; the external PostgreSQL runs as
# the postgres user). Installs what it needs from Debian: wrk, and PostgreSQL's server binaries, and nginx as a fast origin.
# Usage: bench/faults.sh [--only kill_service,...] [--fuzz-requests N] [--write-docs]
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx-light)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -f app/target/fetchbus.jar ] || ./mvnw -q -B -DskipTests package
exec python3 bench/faults.py "$@"
