#!/usr/bin/env bash
# Streaming uploads beside the HTTP hot path, one JVM, after a warm-up of both: (a) one 2 GiB upload alone, (b) wrk on
# GET /hello/Ada alone, (c) the same wrk while 2 GiB uploads run back to back, (d) wrk alone again; then at a fixed
# offered rate (h2load --rps, RATE req/s in all, a fifth of what the core serves flat out): (e) alone, (f) while 2 GiB
# uploads run back to back. Reports /hello req/s and latency with and without uploads (a latency that jumps would
# mean chunk work stalls the event loop), upload MB/s (curl's own figure) and the JVM's peak RSS per phase (VmRSS
# sampled every 0.1 s) and overall (VmHWM). wrk (c, d) keeps the core saturated, so there every CPU-second an
# upload takes is taken from /hello; the paced phases (e, f) show a service under load, not at its limit.
# Fetchbus (JVM + embedded PostgreSQL) on CPU 0; wrk (-t1 -c400) and curl on CPU 1. The body is a 2 GiB sparse file
# sent by `curl -T` (streamed with its Content-Length and `Expect: 100-continue`; never read into curl's memory).
# The summary gives /hello's req/s during the uploads as a percentage of its req/s alone, beside upload MB/s and RSS.
# Usage: bench/upload.sh [path/to/fetchbus.jar]
# Env: DURATION seconds per wrk run (10), WARMUP seconds of wrk before measuring (10), SIZE (2G), PORT (8091),
#      RATE offered /hello req/s of the paced phases (20000, over 100 connections),
#      JAVA_OPTS (default: conf/jvm.options), OUT (bench/out), CSV (bench/upload-rss.csv), SVG (bench/upload-rss.svg).
# Every VmRSS sample goes to $CSV (seconds,phase,rss_kib), rendered as $SVG: resident memory over time per phase.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-app/target/fetchbus.jar}")
JAVA_OPTS=${JAVA_OPTS-@$(pwd)/conf/jvm.options}
DURATION=${DURATION:-10}; WARMUP=${WARMUP:-10}; SIZE=${SIZE:-2G}; PORT=${PORT:-8091}
OUT=$(readlink -f "${OUT:-bench/out}")
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
command -v h2load >/dev/null || { echo "h2load is missing: apt-get install -y nghttp2-client"; exit 1; }
RATE=${RATE:-20000}
[ "$RATE" -ge 100 ] || { echo "RATE is spread over 100 connections: give at least 100"; exit 1; }
[ -f "$JAR" ] || { echo "no jar at $JAR: ./mvnw -q -DskipTests package"; exit 1; }
mkdir -p "$OUT"; ulimit -n 20000 2>/dev/null || true
taskset -cp 1 $$ >/dev/null
BODY=$(mktemp /tmp/fetchbus-upload.XXXX); truncate -s "$SIZE" "$BODY"
source bench/lib.sh
SERVER= DATA= SAMPLER= UPLOADER=
trap 'kill $SAMPLER $UPLOADER $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA" "$BODY"' EXIT
start_fetchbus "$JAR" "$PORT" "$OUT/upload-server.log"
BASE=http://127.0.0.1:$PORT

CSV=${CSV:-bench/upload-rss.csv}; SVG=${SVG:-bench/upload-rss.svg}
echo "seconds,phase,rss_kib" > "$OUT/upload-rss.csv"
STARTED=$(date +%s.%N)
# Peak VmRSS (KiB) of the server while the sampler ran; start_sampler PHASE, then stop_sampler prints it. Every
# sample is kept, with the phase and the seconds since the bench started.
start_sampler() {
  echo 0 > "$OUT/upload-rss.peak"
  (peak=0; while :; do
     r=$(awk '/^VmRSS/{print $2}' /proc/$SERVER/status 2>/dev/null || echo 0)
     echo "$(awk -v a="$STARTED" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'),$1,${r:-0}" >> "$OUT/upload-rss.csv"
     if [ "${r:-0}" -gt "$peak" ]; then peak=$r; echo "$peak" > "$OUT/upload-rss.peak"; fi
     sleep 0.1
   done) &
  SAMPLER=$!
}
stop_sampler() { kill $SAMPLER; wait $SAMPLER 2>/dev/null || true; SAMPLER=; cat "$OUT/upload-rss.peak"; }

hello() { # seconds -> "req/s p99"
  timeout $(($1 + 30)) wrk -t1 -c400 -d"$1"s --latency "$BASE/hello/Ada" > "$OUT/upload-wrk.txt" 2>&1
  awk '/^Requests\/sec/{rps=$2} $1=="99%"{p99=$2} END{print rps, p99}' "$OUT/upload-wrk.txt"
}

paced() { # seconds -> "req/s mean_latency max_latency" at RATE req/s offered (100 connections, HTTP/1.1 keep-alive)
  timeout $(($1 + 30)) h2load --h1 -t1 -c100 --rps $((RATE / 100)) -D "$1" "$BASE/hello/Ada" > "$OUT/upload-h2load.txt" 2>&1
  awk '/^finished in/{rps=$4} /^time for request:/{max=$5; mean=$6} /^requests:/{ok=$8; fail=$10}
       END{print rps, mean, max, (fail + 0) " failed"}' "$OUT/upload-h2load.txt"
}

# One upload; appends "bytes seconds bytes_per_second http_status" to $OUT/upload-runs.txt, deletes it afterwards.
upload() {
  local meta id
  meta=$(curl -s -T "$BODY" -X POST -H 'Content-Type: application/octet-stream' --max-time 300 \
    -o "$OUT/upload-reply.json" -w '%{size_upload} %{time_total} %{speed_upload} %{http_code}' "$BASE/api/uploads")
  echo "$meta" >> "$OUT/upload-runs.txt"
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("id", ""))' "$OUT/upload-reply.json" 2>/dev/null || true)
  [ -n "$id" ] && curl -s -o /dev/null -X DELETE "$BASE/api/uploads/$id"
  return 0
}
mbps() { awk '{ if ($4 == 201) { b += $1; s += $2; n++ } else bad++ } END { printf "%d uploads, %.0f MB/s%s", n, (s > 0 ? b / s / 1e6 : 0), (bad ? ", " bad " failed" : "") }' "$1"; }

echo "=== $(date -u +%FT%TZ) upload bench, $SIZE body, flags: $JAVA_OPTS" | tee -a "$OUT/upload.txt"
# Warm both paths up first: with C2 alone (conf/jvm.options) the first seconds run interpreted.
hello "$WARMUP" > /dev/null
: > "$OUT/upload-runs.txt"; upload

: > "$OUT/upload-runs.txt"
start_sampler "one upload alone"; upload; PEAK_UPLOAD=$(stop_sampler)
UPLOAD_ALONE=$(mbps "$OUT/upload-runs.txt")
read -r bytes _ < "$OUT/upload-runs.txt"
[ "$bytes" = "$(stat -c %s "$BODY")" ] || echo "WARNING: curl sent $bytes bytes of $(stat -c %s "$BODY")"

start_sampler "/hello alone (wrk)"; read -r RPS_ALONE P99_ALONE <<< "$(hello "$DURATION")"; PEAK_HELLO=$(stop_sampler)

: > "$OUT/upload-runs.txt"; rm -f "$OUT/upload-stop"
start_sampler "uploads during /hello (wrk)"
(while [ ! -e "$OUT/upload-stop" ]; do upload; done) & UPLOADER=$!
read -r RPS_BUSY P99_BUSY <<< "$(hello "$DURATION")"
touch "$OUT/upload-stop"; wait $UPLOADER; UPLOADER= # the upload in flight finishes and is counted
PEAK_BOTH=$(stop_sampler)
UPLOAD_BUSY=$(mbps "$OUT/upload-runs.txt")

read -r RPS_AFTER P99_AFTER <<< "$(hello "$DURATION")"

read -r PACED_ALONE PACED_MEAN_ALONE PACED_MAX_ALONE PACED_FAILED_ALONE <<< "$(paced "$DURATION")"
: > "$OUT/upload-runs.txt"; rm -f "$OUT/upload-stop"
start_sampler "uploads during paced /hello"
(while [ ! -e "$OUT/upload-stop" ]; do upload; done) & UPLOADER=$!
read -r PACED_BUSY PACED_MEAN_BUSY PACED_MAX_BUSY PACED_FAILED_BUSY <<< "$(paced "$DURATION")"
touch "$OUT/upload-stop"; wait $UPLOADER; UPLOADER=
PEAK_PACED=$(stop_sampler)
UPLOAD_PACED=$(mbps "$OUT/upload-runs.txt")
HWM=$(awk '/^VmHWM/{print $2}' /proc/$SERVER/status)

{
  printf 'upload alone:           %s (peak RSS %d KiB)\n' "$UPLOAD_ALONE" "$PEAK_UPLOAD"
  printf '/hello alone:           %s req/s, p99 %s (peak RSS %d KiB); again afterwards: %s req/s, p99 %s\n' \
    "$RPS_ALONE" "$P99_ALONE" "$PEAK_HELLO" "$RPS_AFTER" "$P99_AFTER"
  printf '/hello during uploads:  %s req/s, p99 %s = %s %% of alone (mean of both); uploads: %s (peak RSS %d KiB)\n' \
    "$RPS_BUSY" "$P99_BUSY" "$(awk -v a="$RPS_ALONE" -v c="$RPS_AFTER" -v b="$RPS_BUSY" 'BEGIN { printf "%.0f", 200 * b / (a + c) }')" \
    "$UPLOAD_BUSY" "$PEAK_BOTH"
  printf '/hello paced, %s req/s offered: alone %s req/s (mean %s, max %s, %s); during uploads %s req/s (mean %s, max %s, %s) = %s %%; uploads: %s (peak RSS %d KiB)\n' \
    "$RATE" "$PACED_ALONE" "$PACED_MEAN_ALONE" "$PACED_MAX_ALONE" "$PACED_FAILED_ALONE" "$PACED_BUSY" "$PACED_MEAN_BUSY" \
    "$PACED_MAX_BUSY" "$PACED_FAILED_BUSY" \
    "$(awk -v a="$PACED_ALONE" -v b="$PACED_BUSY" 'BEGIN { printf "%.0f", 100 * b / a }')" "$UPLOAD_PACED" "$PEAK_PACED"
  printf 'JVM peak RSS (VmHWM):   %d KiB\n' "$HWM"
} | tee -a "$OUT/upload.txt"
cp "$OUT/upload-rss.csv" "$CSV"
/usr/bin/python3 bench/plot.py upload-rss "$CSV" "$SVG"
echo "wrote $CSV and $SVG"
