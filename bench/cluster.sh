#!/usr/bin/env bash
# One job on one and on two fetch nodes: a store node (HTTP, store, migrations, reports on its embedded PostgreSQL)
# and fetch-only nodes on one clustered event bus over loopback; nginx (one worker, CPU 1) serves the 12,000 objects
# of bench/fetch.sh. Phase 1 runs with one fetch node, phase 2 after a second one joined, each with a warm-up job
# first; each job's line has its objects/s (POST to the job's end) and how many results each fetch node fetched
# (from its own /metrics on its management port). The JVMs are not pinned: on a two-core machine the nodes share
# both cores with nginx and PostgreSQL, so the point is that the job's work spreads, not that it doubles.
# Writes bench/cluster.csv (fetch nodes, URLs, job, objects/s, per-node counts) and renders it with bench/plot.py
# to bench/cluster.svg.
# Usage: bench/cluster.sh [path/to/fetchbus.jar]
# Env: COUNTS ("12000 100000": URLs per timed job; above 12,000 the objects repeat with a query string), REPS (2),
#      JAVA_OPTS (default @conf/jvm.options), OUT (bench/out), ORIGIN_DIR (/tmp/peers-origin), PORT (8090), API (8089).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-app/target/fetchbus.jar}")
COUNTS=${COUNTS:-12000 100000}; REPS=${REPS:-2}; PORT=${PORT:-8090}; API=${API:-8089}
JAVA_OPTS=${JAVA_OPTS-@$(pwd)/conf/jvm.options}
OUT=$(readlink -f "${OUT:-bench/out}"); ORIGIN_DIR=${ORIGIN_DIR:-/tmp/peers-origin}
command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx-light"; exit 1; }
mkdir -p "$OUT"; ulimit -n 20000 2>/dev/null || true
source bench/lib.sh
make_objects "$ORIGIN_DIR" 12000

NGINX= NGX= PIDS=() DIRS=()
trap 'kill ${PIDS[@]} $NGINX 2>/dev/null; wait ${PIDS[@]} $NGINX 2>/dev/null; rm -rf "${DIRS[@]}" "$NGX"' EXIT
start_nginx "$ORIGIN_DIR" "$PORT"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() { # URL LOG
  for _ in $(seq 1 900); do curl -sf -o /dev/null "$1/health/ready" && return 0; sleep 0.1; done
  echo "not ready: $1; see $2"; exit 1
}
node() { # NAME ROLES [env...]: starts a node on a fresh data dir
  local name=$1 roles=$2 dir; shift 2
  dir=$(mktemp -d /tmp/fetchbus-cluster.XXXX); chmod 755 "$dir"; DIRS+=("$dir")
  env FETCHBUS_DATA_DIR="$dir" FETCHBUS_ROLES="$roles" FETCHBUS_CLUSTER=true FETCHBUS_CLUSTER_HOST=127.0.0.1 \
    FETCHBUS_TCP_PORT=0 FETCHBUS_FETCH_ALLOW=127.0.0.0/8 "$@" \
    java $JAVA_OPTS -jar "$JAR" > "$OUT/cluster-$name.log" 2>&1 &
  PIDS+=($!)
}

CLUSTER_A=$(free_port)
node store migrations,store,reports,http FETCHBUS_HTTP_PORT="$API" FETCHBUS_CLUSTER_PORT="$CLUSTER_A"
wait_ready "http://127.0.0.1:$API" "$OUT/cluster-store.log"
MANAGEMENT=()
add_fetch_node() {
  local management; management=$(free_port)
  node "fetch$(( ${#MANAGEMENT[@]} + 1 ))" fetch,management FETCHBUS_MANAGEMENT_PORT="$management" \
    FETCHBUS_CLUSTER_PORT="$(free_port)" FETCHBUS_CLUSTER_MEMBERS="127.0.0.1:$CLUSTER_A"
  wait_ready "http://127.0.0.1:$management" "$OUT/cluster-fetch$(( ${#MANAGEMENT[@]} + 1 )).log"
  MANAGEMENT+=("$management")
}
fetched() { # MANAGEMENT_PORT: results this fetch node counted, every outcome
  curl -sf "http://127.0.0.1:$1/metrics" | awk '/^fetchbus_results_total\{/{s+=$2} END{printf "%d", s}'
}

run_job() { # LABEL COUNT
  local body=$OUT/cluster-job-$2.json t0 t1 id status before=() after=() shares=""
  [ -f "$body" ] || python3 -c "import json,sys; n=int(sys.argv[1]); print(json.dumps({'urls': ['http://127.0.0.1:$PORT/obj/%05d?r=%d' % (i % 12000, i // 12000) for i in range(n)], 'concurrency': 200, 'perHost': 200}))" "$2" > "$body"
  for m in "${MANAGEMENT[@]}"; do before+=("$(fetched "$m")"); done
  t0=$(date +%s.%N)
  id=$(curl -sf -H 'content-type: application/json' --data-binary @"$body" "http://127.0.0.1:$API/api/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -sfN --max-time 600 "http://127.0.0.1:$API/api/jobs/$id/events" > /dev/null
  t1=$(date +%s.%N)
  status=$(curl -sf "http://127.0.0.1:$API/api/jobs/$id" | python3 -c 'import json,sys; j=json.load(sys.stdin); print("%s %d/%d" % (j["status"], j["succeeded"], j["total"]))')
  for i in "${!MANAGEMENT[@]}"; do shares+=" node$((i + 1))=$(( $(fetched "${MANAGEMENT[$i]}") - ${before[$i]} ))"; done
  awk -v l="$1" -v n="$2" -v a="$t0" -v b="$t1" -v s="$status" -v sh="$shares" -v k="${#MANAGEMENT[@]}" \
    'BEGIN{printf "%-10s %d fetch node(s) %7d URLs %7.2f s %7.0f objects/s  %s  fetched by:%s\n", l, k, n, b-a, n/(b-a), s, sh}' \
    | tee -a "$OUT/cluster.txt"
  [ "$1" = "warm-up" ] || awk -v n="$2" -v a="$t0" -v b="$t1" -v sh="$shares" -v k="${#MANAGEMENT[@]}" -v l="$1" \
    'BEGIN{printf "%d,%d,%s,%.0f,%s\n", k, n, l, n/(b-a), sh}' >> "$CSV"
}

echo "=== $(date -u +%FT%TZ) cluster bench: flags $JAVA_OPTS" | tee -a "$OUT/cluster.txt"
CSV=bench/cluster.csv
echo "nodes,urls,job,objects_per_s,fetched_by" > "$CSV"
for phase in 1 2; do
  add_fetch_node
  run_job "warm-up" 12000
  for count in $COUNTS; do
    for rep in $(seq 1 "$REPS"); do run_job "job$rep" "$count"; done
  done
done
/usr/bin/python3 bench/plot.py cluster "$CSV" bench/cluster.svg
