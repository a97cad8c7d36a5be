#!/usr/bin/env bash
# Load-tests Fetchbus's GET /hello/Ada with wrk the way ../shared/peers/run-servers.sh loads the peers: the server
# (and its embedded PostgreSQL) pinned to CPU 1, wrk with one thread pinned to CPU 0, loopback only, bounded runs.
#   S1: no delay, 400 connections     S2: ?delay=100ms, 400 connections (limit 4,000 req/s)
# Usage: bench/hello.sh [path/to/fetchbus.jar]
# Env: SCENARIOS ("S1 S2"), REPS (3), DURATION seconds (10), WARMUP seconds (5), PORT (8088),
#      JAVA_OPTS (default: conf/jvm.options, the flags README recommends), OUT (bench/out).
# Prints one line per run and appends them to $OUT/hello.csv: scenario,rep,rps,p50_ms,p99_ms,socket_errors,non2xx,peak_rss_kib
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-app/target/fetchbus.jar}")
JAVA_OPTS=${JAVA_OPTS-@$(pwd)/conf/jvm.options}
SCENARIOS=${SCENARIOS:-"S1 S2"}
REPS=${REPS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
PORT=${PORT:-8088}
OUT=${OUT:-bench/out}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
[ -f "$JAR" ] || { echo "no jar at $JAR: ./mvnw -q -DskipTests package"; exit 1; }
mkdir -p "$OUT"
ulimit -n 20000 2>/dev/null || true
taskset -cp 0 $$ >/dev/null
CSV=$OUT/hello.csv
[ -f "$CSV" ] || echo "scenario,rep,rps,p50_ms,p99_ms,socket_errors,non2xx,peak_rss_kib" > "$CSV"

DATA=$(mktemp -d /tmp/fetchbus-bench.XXXX); chmod 755 "$DATA"
FETCHBUS_HTTP_PORT=$PORT FETCHBUS_TCP_PORT=0 FETCHBUS_DATA_DIR=$DATA taskset -c 1 java $JAVA_OPTS -jar "$JAR" > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 900); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/ready" || { echo "Fetchbus did not become ready"; cat "$OUT/server.log"; exit 1; }
echo "Fetchbus pid $SERVER up; flags: $JAVA_OPTS"

to_ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v }'; }

run() { # scenario rep url seconds
  local out="$OUT/wrk_$1_$2.txt" peak=0 rss
  timeout $(($4 + 30)) taskset -c 0 wrk -t1 -c400 -d"$4"s --latency "$3" > "$out" 2>&1 &
  local w=$!
  while kill -0 $w 2>/dev/null; do
    rss=$(awk '/^VmRSS/{print $2}' /proc/$SERVER/status 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.2
  done
  wait $w
  [ "$2" = warmup ] && return
  local rps p50 p99 errs non2xx
  rps=$(awk '/^Requests\/sec/{print $2}' "$out")
  p50=$(to_ms "$(awk '$1=="50%"{print $2}' "$out")")
  p99=$(to_ms "$(awk '$1=="99%"{print $2}' "$out")")
  errs=$(awk '/Socket errors/{gsub(/,/,""); print $4+$6+$8+$10}' "$out"); errs=${errs:-0}
  non2xx=$(awk '/Non-2xx/{print $5}' "$out"); non2xx=${non2xx:-0}
  echo "$1,$2,$rps,$p50,$p99,$errs,$non2xx,$peak" >> "$CSV"
  printf '%s r%s rps=%s p50=%sms p99=%sms errors=%s non2xx=%s peak_rss=%s KiB\n' "$1" "$2" "$rps" "$p50" "$p99" "$errs" "$non2xx" "$peak"
}

for s in $SCENARIOS; do
  case $s in
    S1) url="http://127.0.0.1:$PORT/hello/Ada" ;;
    S2) url="http://127.0.0.1:$PORT/hello/Ada?delay=100ms" ;;
    *) echo "unknown scenario $s"; exit 1 ;;
  esac
  run "$s" warmup "$url" "$WARMUP"
  for r in $(seq 1 "$REPS"); do run "$s" "$r" "$url" "$DURATION"; sleep 2; done
done
