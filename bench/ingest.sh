#!/usr/bin/env bash
# Result ingest and result streaming against the embedded PostgreSQL (pinned to CPU 0).
#  1. Fetchbus ingest: one job of COUNT URLs that the address guard refuses before any connection is made
#     (10.255.x.x, no allow-list), so every result is written at once: fetcher -> batcher -> event bus -> store ->
#     one multi-row INSERT per batch. Rows/s from the job's start to its end (stored timestamps), and from POST
#     to the final event. Fetchbus JVM on CPU 1.
#  2. pgbench on the same server, same run: a custom script doing the store's statement shape (500-row
#     INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING into a copy of the results table), CPU 1.
#  3. Streaming STREAM_ROWS stored results through GET /api/jobs/{id}/results: rows/s and the JVM's peak RSS,
#     once at full speed and once with a client reading at 2 MB/s.
# Usage: bench/ingest.sh [jar]   Needs pgbench (apt-get install -y postgresql-15) and psql.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-app/target/fetchbus.jar}")
COUNT=${COUNT:-100000}; STREAM_ROWS=${STREAM_ROWS:-1000000}; API=8089; OUT=$(readlink -f "${OUT:-bench/out}")
JAVA_OPTS=${JAVA_OPTS-@$(pwd)/conf/jvm.options}
PGBENCH=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | head -1)
[ -x "$PGBENCH" ] || { echo "pgbench is missing: apt-get install -y postgresql-15"; exit 1; }
mkdir -p "$OUT"
DATA=$(mktemp -d /tmp/fetchbus-ingest.XXXX); chmod 755 "$DATA" # as root: the cluster stays in it, removed with it
CONF=$DATA/bench-config.json
echo "{\"jobs\": {\"maxUrls\": $COUNT}, \"http\": {\"maxBodyBytes\": 67108864}}" > "$CONF"
FETCHBUS_HTTP_PORT=$API FETCHBUS_TCP_PORT=0 FETCHBUS_DATA_DIR=$DATA FETCHBUS_CONFIG=$CONF taskset -c 1 java $JAVA_OPTS -jar "$JAR" \
  > "$OUT/ingest-server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 900); do curl -sf -o /dev/null "http://127.0.0.1:$API/health/ready" && break; sleep 0.1; done
for p in $(pgrep -f "postgres.*$DATA" ; pgrep -P "$(pgrep -of "postgres -D $DATA/postgres")" 2>/dev/null); do taskset -pc 0 "$p" >/dev/null; done
PGPORT=$(grep -o 'up on 127.0.0.1:[0-9]*' "$OUT/ingest-server.log" | cut -d: -f2)
export PGHOST=127.0.0.1 PGPORT PGUSER=fetchbus PGDATABASE=postgres PGPASSWORD=$(cat "$DATA/postgres.password")
echo "=== $(date -u +%FT%TZ) ingest bench: $COUNT results; PostgreSQL on CPU 0, clients on CPU 1" | tee -a "$OUT/ingest.txt"

# 1. Fetchbus
python3 -c "import json,sys; n=int(sys.argv[1]); print(json.dumps({'urls': ['http://10.255.%d.%d/r%d' % (i // 250 % 250, i % 250 + 1, i) for i in range(n)], 'concurrency': 1024, 'perHost': 1024, 'retries': 0}))" "$COUNT" > "$OUT/ingest-job.json"
ingest() {
  local t0 t1 id
  t0=$(date +%s.%N)
  id=$(curl -sf -H 'content-type: application/json' --data-binary @"$OUT/ingest-job.json" "http://127.0.0.1:$API/api/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -sfN --max-time 300 "http://127.0.0.1:$API/api/jobs/$id/events" > /dev/null
  t1=$(date +%s.%N)
  local run; run=$(curl -sf "http://127.0.0.1:$API/api/jobs/$id" | python3 -c 'import json,sys
from datetime import datetime
j=json.load(sys.stdin); t=lambda k: datetime.fromisoformat(j[k].replace("Z","+00:00"))
print(j["completed"], (t("finishedAt")-t("startedAt")).total_seconds())')
  read -r done secs <<< "$run"
  awk -v l="$1" -v a="$t0" -v b="$t1" -v n="$done" -v s="$secs" 'BEGIN{printf "fetchbus %-6s %d results: %.0f rows/s from the first result to the last stored (%.2f s); %.0f rows/s from POST (%.2f s, the URL list insert included)\n", l, n, n/s, s, n/(b-a), b-a}' | tee -a "$OUT/ingest.txt"
}
ingest warmup
ingest run1
ingest run2

# 2. pgbench, same statement shape
psql -qc "CREATE TABLE IF NOT EXISTS bench_results (LIKE results INCLUDING ALL)"
cat > "$DATA/insert.sql" <<'SQL'
\set base random(1, 1000000000)
INSERT INTO bench_results (job_id, seq, outcome, http_status, bytes, sha256, duration_ms, attempts, decoded, path)
SELECT gen_random_uuid(), :base + i, 'refused_address', NULL, 0, NULL, 1, 1, false, NULL FROM generate_series(1, 500) AS i
ON CONFLICT (job_id, seq) DO NOTHING;
SQL
for c in 1 4; do
  tps=$(taskset -c 1 "$PGBENCH" -n -c $c -j 1 -T 10 -f "$DATA/insert.sql" 2>/dev/null | awk '/^tps/{print $3}')
  awk -v c=$c -v t="$tps" 'BEGIN{printf "pgbench  -c %d   %.0f tps x 500 rows = %.0f rows/s\n", c, t, t*500}' | tee -a "$OUT/ingest.txt"
done

# 3. Streaming a large result set
psql -qc "INSERT INTO jobs (id, status, options, total, completed, succeeded, finished_at) VALUES ('00000000-0000-0000-0000-00000000beef', 'done', '{}', $STREAM_ROWS, $STREAM_ROWS, $STREAM_ROWS, now())" \
     -c "INSERT INTO job_urls SELECT '00000000-0000-0000-0000-00000000beef', s, 'http://example.invalid/object/' || s FROM generate_series(0, $STREAM_ROWS - 1) s" \
     -c "INSERT INTO results (job_id, seq, outcome, http_status, bytes, sha256, duration_ms, attempts) SELECT '00000000-0000-0000-0000-00000000beef', s, 'ok', 200, 4096, md5(s::text) || md5(s::text), 3, 1 FROM generate_series(0, $STREAM_ROWS - 1) s"
stream() { # label curl-args...
  local label=$1; shift
  local peak=0 r t0 t1
  t0=$(date +%s.%N)
  taskset -c 0 curl -sf "$@" "http://127.0.0.1:$API/api/jobs/00000000-0000-0000-0000-00000000beef/results" -o "$DATA/stream.out" &
  local c=$!
  while kill -0 $c 2>/dev/null; do r=$(awk '/^VmRSS/{print $2}' /proc/$SERVER/status); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.1; done
  t1=$(date +%s.%N)
  local lines; lines=$(wc -l < "$DATA/stream.out")
  awk -v l="$label" -v a="$t0" -v b="$t1" -v n="$lines" -v p="$peak" 'BEGIN{printf "stream   %-6s %d rows in %.2f s = %.0f rows/s, JVM peak RSS %.1f MiB\n", l, n, b-a, n/(b-a), p/1024}' | tee -a "$OUT/ingest.txt"
}
stream full
stream slow --limit-rate 2M --max-time 30
