#!/usr/bin/env bash
# GET /hello/Ada beside the peers, in one run (../shared/peers/run-servers.sh): each server in turn pinned to CPU 1,
# wrk -t1 on CPU 0, round-robin over the servers, loopback only.
#   S1: no delay, 400 connections, 10 s   S2: ?delay=100ms, 400 connections, 10 s   S3 (C10K): delay 100 ms, 10,000
#   connections, 15 s
# Usage: bench/hello-peers.sh [path/to/fetchbus.jar]
# Env: SCENARIOS ("S1 S2 S3"), SERVERS ("fetchbus vertx-epoll go aiohttp-uvloop"), REPS (3), PEERS (a writable copy
#      of ../shared/peers, default /tmp/peers: the peers' scripts build into their own folder), FETCHBUS_JAVA_OPTS
#      (conf/jvm.options), CSV (bench/hello-peers.csv), SVG (bench/hello-peers.svg).
# Output: one row per run in $CSV (scenario,server,rep,rps,p50_ms,p99_ms,socket_errors,peak_rss_kib), the chart
# $SVG (req/s and p99 per scenario and server, medians) and a summary of medians.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-app/target/fetchbus.jar}")
[ -f "$JAR" ] || { echo "no jar at $JAR: ./mvnw -q -DskipTests package"; exit 1; }
PEERS=${PEERS:-/tmp/peers}
[ -d "$PEERS" ] || cp -r ../shared/peers "$PEERS"
CSV=${CSV:-bench/hello-peers.csv}
SVG=${SVG:-bench/hello-peers.svg}
RAW=$(pwd)/bench/out/hello-peers
rm -rf "$RAW"; mkdir -p "$RAW"
FETCHBUS_JAR=$JAR FETCHBUS_JAVA_OPTS=${FETCHBUS_JAVA_OPTS-@$(pwd)/conf/jvm.options} RAW_DIR=$RAW \
  SCENARIOS=${SCENARIOS:-"S1 S2 S3"} SERVERS=${SERVERS:-"fetchbus vertx-epoll go aiohttp-uvloop"} REPS=${REPS:-3} \
  "$PEERS/run-servers.sh"
python3 - "$RAW/A_runs.csv" "$CSV" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["scenario", "server", "rep", "rps", "p50_ms", "p99_ms", "socket_errors", "peak_rss_kib"])
    for r in rows:
        errors = sum(int(r[k] or 0) for k in ("err_connect", "err_read", "err_write", "err_timeout"))
        w.writerow([r["scenario"], r["server"], r["rep"], r["rps"], r["p50_ms"], r["p99_ms"], errors, r["peak_rss_kib"]])
by = {}
for r in rows:
    by.setdefault((r["scenario"], r["server"]), []).append(r)
print("scenario server           median req/s  median p99 ms  socket errors (all runs)  peak RSS MiB")
for (scenario, server), rs in by.items():
    errors = sum(int(r[k] or 0) for r in rs for k in ("err_connect", "err_read", "err_write", "err_timeout"))
    print(f"{scenario:8} {server:16} {statistics.median(float(r['rps']) for r in rs):13,.0f}"
          f"  {statistics.median(float(r['p99_ms']) for r in rs):13.1f}  {errors:23}"
          f"  {max(int(r['peak_rss_kib'] or 0) for r in rs) / 1024:12.1f}")
for scenario in sorted({s for s, _ in by}):
    fb, bare = by.get((scenario, "fetchbus")), by.get((scenario, "vertx-epoll"))
    if fb and bare:
        ratio = statistics.median(float(r["rps"]) for r in fb) / statistics.median(float(r["rps"]) for r in bare)
        print(f"{scenario}: fetchbus / bare Vert.x epoll = {ratio:.3f}")
PY
/usr/bin/python3 bench/plot.py hello "$CSV" "$SVG"
echo "wrote $CSV and $SVG"
