#!/usr/bin/env bash
# Memory under fetch load, one JVM: peak RSS while fetching (1) the 12,000-object job, (2) a 100,000-URL job over
# the same objects, (3) one 2 GiB body in mirror mode. Flat memory means (2) and (3) peak no higher than (1).
# nginx on CPU 1 serves the objects and a 2 GiB sparse file; Fetchbus (JVM + embedded PostgreSQL) on CPU 0.
# Usage: bench/fetch-memory.sh [path/to/fetchbus.jar]   Env: JAVA_OPTS (default @conf/jvm.options), OUT, ORIGIN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-app/target/fetchbus.jar}")
JAVA_OPTS=${JAVA_OPTS-@$(pwd)/conf/jvm.options}
OUT=$(readlink -f "${OUT:-bench/out}"); ORIGIN_DIR=${ORIGIN_DIR:-/tmp/peers-origin}; PORT=8090; API=8089
mkdir -p "$OUT"; taskset -cp 0 $$ >/dev/null
[ -f "$ORIGIN_DIR/manifest.txt" ] || COUNT=12000 REPS=0 WARMUP=0 bench/fetch.sh "$JAR" >/dev/null
BIG=$(mktemp -d /tmp/fetchbus-big.XXXX); chmod 755 "$BIG"; mkdir -p "$BIG/obj"; truncate -s 2G "$BIG/obj/big"
ln -s "$ORIGIN_DIR/obj"/* "$BIG/obj/" 2>/dev/null || true
source bench/lib.sh
SERVER= NGINX= DATA= NGX=
trap 'kill $SERVER $NGINX 2>/dev/null; wait $SERVER $NGINX 2>/dev/null; rm -rf "$DATA" "$NGX" "$BIG"' EXIT
start_nginx "$BIG" "$PORT"
start_fetchbus "$JAR" "$API" "$OUT/memory-server.log"

run() { # label body-file
  local peak=0 r t0 t1 id
  t0=$(date +%s.%N)
  id=$(curl -sf -H 'content-type: application/json' --data-binary @"$2" "http://127.0.0.1:$API/api/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -sfN --max-time 600 "http://127.0.0.1:$API/api/jobs/$id/events" > /dev/null &
  local sse=$!
  while kill -0 $sse 2>/dev/null; do r=$(awk '/^VmRSS/{print $2}' /proc/$SERVER/status); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.1; done
  t1=$(date +%s.%N)
  local job; job=$(curl -sf "http://127.0.0.1:$API/api/jobs/$id")
  printf '%-10s %7.2f s  peak_rss=%d KiB  %s\n' "$1" "$(echo "$t1 - $t0" | bc)" "$peak" "$job" | tee -a "$OUT/memory.txt"
  LAST_ID=$id
}
python3 -c "import json; print(json.dumps({'urls': ['http://127.0.0.1:$PORT/obj/%05d' % i for i in range(12000)], 'concurrency': 200, 'perHost': 200}))" > "$OUT/mem-12k.json"
python3 -c "import json; print(json.dumps({'urls': ['http://127.0.0.1:$PORT/obj/%05d?n=%d' % (i % 12000, i) for i in range(100000)], 'concurrency': 200, 'perHost': 200}))" > "$OUT/mem-100k.json"
python3 -c "import json; print(json.dumps({'urls': ['http://127.0.0.1:$PORT/obj/big'], 'body': 'mirror', 'maxBodyBytes': 4294967296}))" > "$OUT/mem-2g.json"
echo "=== $(date -u +%FT%TZ) memory bench, flags: $JAVA_OPTS" | tee -a "$OUT/memory.txt"
run 12k "$OUT/mem-12k.json"
run 100k "$OUT/mem-100k.json"
run 2GiB "$OUT/mem-2g.json"
MIRROR=$(curl -sf "http://127.0.0.1:$API/api/jobs/$LAST_ID/results" | python3 -c 'import json,sys; r=json.loads(sys.stdin.readline()); print(r["path"], r["bytes"], r["sha256"])')
read -r path bytes sha <<< "$MIRROR"
echo "mirror file $path: $(stat -c %s "$DATA/$path") bytes on disk, result says $bytes; sha256 $( [ "$sha" = "$(sha256sum "$BIG/obj/big" | cut -d' ' -f1)" ] && echo matches || echo MISMATCH)" | tee -a "$OUT/memory.txt"
