#!/usr/bin/env bash
# The 12,000-object fetch per job number, Fetchbus beside the Go client and aiohttp + uvloop of ../shared/peers, in
# one run: Fetchbus runs JOBS jobs in one JVM (bench/fetch.sh: the first job after a cold start, then warm ones, every
# result stored); each peer runs JOBS times as a fresh process (what a user of that script gets each time). Same
# origin and pinning as bench/fetch.sh (nginx on CPU 1, the clients and Fetchbus with its PostgreSQL on CPU 0).
# Writes bench/fetch-per-job.csv (client, job, objects/s, CPU seconds per 1,000 URLs) and renders it with
# bench/plot.py to bench/fetch-per-job.svg.
# Needs: nginx-light, golang-go, python3-aiohttp, python3-uvloop, python3-matplotlib (Debian's /usr/bin/python3).
# Env: JOBS (12), OUT (bench/out), PORT (8090), PEERS (../shared/peers).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-app/target/fetchbus.jar}")
JOBS=${JOBS:-12}; PORT=${PORT:-8090}; COUNT=12000
OUT=$(readlink -f "${OUT:-bench/out}"); PEERS=$(readlink -f "${PEERS:-../shared/peers}"); ORIGIN_DIR=/tmp/peers-origin
mkdir -p "$OUT"; ulimit -n 20000 2>/dev/null || true
CSV=bench/fetch-per-job.csv
echo "client,job,objects_per_s,cpu_s_per_1000" > "$CSV"

# Fetchbus: bench/fetch.sh's lines "cold|warmN  T s  R objects/s  cpu=C s (P s per 1000 URLs) ...".
rm -f "$OUT/fetch.txt"
OUT=$OUT WARMUP=0 REPS=$((JOBS - 1)) bench/fetch.sh "$JAR" > /dev/null
grep -E '^(cold|warm[0-9]+) ' "$OUT/fetch.txt" | awk '{n++; gsub(/\(/, "", $8); printf "fetchbus,%d,%s,%s\n", n, $4, $8}' >> "$CSV"

source bench/lib.sh
NGINX= NGX=
trap 'kill $NGINX 2>/dev/null; wait $NGINX 2>/dev/null; rm -rf "$NGX"' EXIT
start_nginx "$ORIGIN_DIR" "$PORT"
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/obj/00000" && break; sleep 0.1; done
GO_BIN=$OUT/go-fetch
(cd "$PEERS/go-fetch" && go build -o "$GO_BIN" .)
peer() { # NAME COMMAND...: JOBS runs, objects/s from its RESULT line, CPU from /usr/bin/time
  local name=$1; shift
  for job in $(seq 1 "$JOBS"); do
    /usr/bin/time -f 'TIME %U %S' -o "$OUT/peer-time.txt" taskset -c 0 "$@" > "$OUT/peer-out.txt"
    awk -v c="$name" -v j="$job" -v n="$COUNT" -v cpu="$(awk '/^TIME/{print $2 + $3}' "$OUT/peer-time.txt")" \
      '/^RESULT/{for(i=1;i<=NF;i++){split($i,a,"="); v[a[1]]=a[2]}
        if (v["bad"] != 0) { print "bad results: " $0 > "/dev/stderr"; exit 1 }
        printf "%s,%d,%.0f,%.3f\n", c, j, n / v["elapsed"], cpu * 1000 / n}' "$OUT/peer-out.txt" >> "$CSV"
  done
}
peer go "$GO_BIN" "http://127.0.0.1:$PORT" "$COUNT" 200
peer aiohttp-uvloop /usr/bin/python3 "$PEERS/clients/fetch_aiohttp.py" uvloop "http://127.0.0.1:$PORT" "$COUNT" 200
/usr/bin/python3 bench/plot.py fetch-per-job "$CSV" bench/fetch-per-job.svg
cat "$CSV"
