#!/usr/bin/env bash
# Validation of a large job body: POST /api/jobs with 100,000 URLs whose callbackUrl names a loopback address, so
# the request ends in a 400 (invalid-option) right after the URLs are checked, before anything is stored.
# The jar (and its embedded PostgreSQL) on CPU 0, curl on CPU 1; WARMUP POSTs, then the median and fastest of REPS.
# Usage: bench/validate.sh [path/to/fetchbus.jar]
# Env: URLS (100000), WARMUP (30), REPS (30), PORT (18111), JAVA_OPTS (default @conf/jvm.options).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-app/target/fetchbus.jar}")
URLS=${URLS:-100000}; WARMUP=${WARMUP:-30}; REPS=${REPS:-30}; PORT=${PORT:-18111}
JAVA_OPTS=${JAVA_OPTS-@$(pwd)/conf/jvm.options}
[ -f "$JAR" ] || { echo "no jar at $JAR: ./mvnw -q -DskipTests package"; exit 1; }
DATA=$(mktemp -d /tmp/fetchbus-validate.XXXX); chmod 755 "$DATA"
BODY=$DATA/body.json
python3 -c "import json,sys; print(json.dumps({'urls': ['http://example.org/some/path/%06d?q=1' % i
  for i in range(int(sys.argv[1]))], 'callbackUrl': 'http://127.0.0.1/cb'}))" "$URLS" > "$BODY"
FETCHBUS_DATA_DIR=$DATA FETCHBUS_HTTP_PORT=$PORT FETCHBUS_TCP_PORT=0 taskset -c 0 java $JAVA_OPTS -jar "$JAR" \
  > "$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 240); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break; sleep 0.5; done
post() { taskset -c 1 curl -s -o /dev/null -w "%{http_code} %{time_total}\n" -H 'content-type: application/json' \
  --data-binary @"$BODY" "http://127.0.0.1:$PORT/api/jobs"; }
[ "$(post | cut -d' ' -f1)" = 400 ] || { echo "the body was not refused with a 400"; exit 1; }
for _ in $(seq 1 "$WARMUP"); do post > /dev/null; done
for _ in $(seq 1 "$REPS"); do post; done | awk '{print $2 * 1000}' | sort -n \
  | awk '{a[NR] = $1} END {printf "%d URLs: median %.1f ms, fastest %.1f ms over %d POSTs\n", '"$URLS"', a[int((NR + 1) / 2)], a[1], NR}'
