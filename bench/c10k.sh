#!/usr/bin/env bash
# C10K: 10,000 concurrent connections on GET /hello/Ada?delay=100ms (scenario S3 of ../shared/peers/run-servers.sh),
# Fetchbus beside the peers in the same run: each server in turn pinned to CPU 1, wrk -t1 -c10000 on CPU 0, 15 s runs.
# Targets (issue 5): zero socket errors, and at least 90% of the bare Vert.x (epoll) server's req/s.
# Usage: bench/c10k.sh [path/to/fetchbus.jar]
# Env: SERVERS ("fetchbus vertx-epoll go aiohttp-uvloop"), REPS (3), PEERS (a writable copy of ../shared/peers,
#      default /tmp/peers: the peers' scripts build into their own folder), FETCHBUS_JAVA_OPTS (conf/jvm.options).
# Output: bench/out/c10k/A_runs.csv (one row per run) and a summary of medians printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-app/target/fetchbus.jar}")
[ -f "$JAR" ] || { echo "no jar at $JAR: ./mvnw -q -DskipTests package"; exit 1; }
PEERS=${PEERS:-/tmp/peers}
[ -d "$PEERS" ] || cp -r ../shared/peers "$PEERS"
RAW=$(pwd)/bench/out/c10k
rm -rf "$RAW"; mkdir -p "$RAW"
FETCHBUS_JAR=$JAR FETCHBUS_JAVA_OPTS=${FETCHBUS_JAVA_OPTS-@$(pwd)/conf/jvm.options} RAW_DIR=$RAW SCENARIOS=S3 \
  SERVERS=${SERVERS:-"fetchbus vertx-epoll go aiohttp-uvloop"} REPS=${REPS:-3} "$PEERS/run-servers.sh"
python3 - "$RAW/A_runs.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
    by.setdefault(r["server"], []).append(r)
med = {s: statistics.median(float(r["rps"]) for r in rs) for s, rs in by.items()}
print("server            median req/s  socket errors (connect/read/write/timeout, all runs)  peak RSS MiB")
for s, rs in by.items():
    errs = [sum(int(r[k] or 0) for r in rs) for k in ("err_connect", "err_read", "err_write", "err_timeout")]
    rss = max(int(r["peak_rss_kib"] or 0) for r in rs) / 1024
    print(f"{s:16} {med[s]:13,.0f}  {'/'.join(map(str, errs)):>20}  {rss:28.1f}")
if "fetchbus" in med and "vertx-epoll" in med:
    print(f"fetchbus / bare Vert.x epoll = {med['fetchbus'] / med['vertx-epoll']:.3f} (target >= 0.90)")
PY
