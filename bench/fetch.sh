#!/usr/bin/env bash
# The 12,000-object fetch workload: nginx on 127.0.0.1 (one worker, CPU 1) serves 12,000 objects of 1-8 KiB;
# Fetchbus (its JVM and its embedded PostgreSQL on CPU 0) fetches all of them as one job (concurrency 200,
# perHost 200 unless CONCURRENCY and PER_HOST say otherwise) with every result stored, timed from POST to the job's
# final progress event.
# Runs: the first job after a cold start, then WARMUP jobs, then REPS timed warm jobs, in one JVM.
# Usage: bench/fetch.sh [path/to/fetchbus.jar]
# Each job's line has its objects/s (POST to final event) and the JVM's CPU seconds from POST to SETTLE seconds after
# the final event (so work a job leaves behind counts), also per 1,000 URLs.
# Env: COUNT (12000), REPS (3), WARMUP (2), SETTLE (2), JAVA_OPTS (default @conf/jvm.options), OUT (bench/out),
#      ORIGIN_DIR (/tmp/peers-origin: the same fixed-seed objects ../shared/peers/run-fetch.sh uses), PORT (8090),
#      CONCURRENCY (200), PER_HOST (200).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-app/target/fetchbus.jar}")
COUNT=${COUNT:-12000}; CONCURRENCY=${CONCURRENCY:-200}; PER_HOST=${PER_HOST:-200}; REPS=${REPS:-3}; WARMUP=${WARMUP:-2}; PORT=${PORT:-8090}; API=${API:-8089}; SETTLE=${SETTLE:-2}
JAVA_OPTS=${JAVA_OPTS-@$(pwd)/conf/jvm.options}
OUT=$(readlink -f "${OUT:-bench/out}"); ORIGIN_DIR=${ORIGIN_DIR:-/tmp/peers-origin}
command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx-light"; exit 1; }
mkdir -p "$OUT"; ulimit -n 20000 2>/dev/null || true
taskset -cp 0 $$ >/dev/null

source bench/lib.sh
make_objects "$ORIGIN_DIR" "$COUNT"
EXPECTED_BYTES=$(head -n "$COUNT" "$ORIGIN_DIR/sizes.txt" | awk '{s+=$1} END{print s}')

SERVER= NGINX= DATA= NGX=
trap 'kill $SERVER $NGINX 2>/dev/null; wait $SERVER $NGINX 2>/dev/null; rm -rf "$DATA" "$NGX"' EXIT
start_nginx "$ORIGIN_DIR" "$PORT"
start_fetchbus "$JAR" "$API" "$OUT/fetch-server.log"

BODY=$OUT/fetch-job.json
python3 -c "import json,sys; n=int(sys.argv[1]); print(json.dumps({'urls': ['http://127.0.0.1:$PORT/obj/%05d' % i for i in range(n)], 'concurrency': $CONCURRENCY, 'perHost': $PER_HOST}))" "$COUNT" > "$BODY"
PEAK=0
sample_rss() { local r; r=$(awk '/^VmRSS/{print $2}' /proc/$SERVER/status 2>/dev/null || echo 0); [ "${r:-0}" -gt "$PEAK" ] && PEAK=$r; true; }

# The JVM's CPU time so far (user + system), in seconds.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' /proc/$SERVER/stat; }

run_job() { # label
  local t0 id t1 job ok bytes c0 c1
  c0=$(cpu_seconds)
  t0=$(date +%s.%N)
  id=$(curl -sf -H 'content-type: application/json' --data-binary @"$BODY" "http://127.0.0.1:$API/api/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -sfN --max-time 300 "http://127.0.0.1:$API/api/jobs/$id/events" > "$OUT/fetch-events-$1.txt" &
  local sse=$!
  while kill -0 $sse 2>/dev/null; do sample_rss; sleep 0.1; done
  t1=$(date +%s.%N)
  # Work a job leaves behind after its end (a worker, a flush) is its cost too: settle before reading the CPU.
  sleep "$SETTLE"
  c1=$(cpu_seconds)
  job=$(curl -sf "http://127.0.0.1:$API/api/jobs/$id")
  ok=$(echo "$job" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["succeeded"] if j["status"]=="done" else -1)')
  bytes=$(curl -sf "http://127.0.0.1:$API/api/jobs/$id/results" | python3 -c 'import json,sys; print(sum(json.loads(l)["bytes"] for l in sys.stdin if l.strip()))')
  awk -v l="$1" -v a="$t0" -v b="$t1" -v n="$COUNT" -v ok="$ok" -v by="$bytes" -v ex="$EXPECTED_BYTES" -v rss="$PEAK" \
      -v cpu="$(echo "$c1 - $c0" | bc)" \
    'BEGIN{printf "%-8s %6.2f s  %7.0f objects/s  cpu=%.2f s (%.3f s per 1000 URLs)  ok=%s/%s bytes=%s (%s)  peak_rss=%d KiB\n", l, b-a, n/(b-a), cpu, cpu*1000/n, ok, n, by, (by==ex?"match":"MISMATCH"), rss}' \
    | tee -a "$OUT/fetch.txt"
}

echo "=== $(date -u +%FT%TZ) fetch bench: $COUNT objects, flags: $JAVA_OPTS" | tee -a "$OUT/fetch.txt"
run_job cold
for i in $(seq 1 "$WARMUP"); do run_job "warmup$i"; done
for i in $(seq 1 "$REPS"); do run_job "warm$i"; done
