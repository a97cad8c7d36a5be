#!/usr/bin/env bash
# C10K: 10,000 concurrent connections on GET /hello/Ada?delay=100ms (scenario S3 of ../shared/peers/run-servers.sh),
# Fetchbus beside the peers in the same run; bench/hello-peers.sh with SCENARIOS=S3, writing bench/c10k.csv and
# bench/c10k.svg. Usage and environment as bench/hello-peers.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIOS=S3 CSV=${CSV:-bench/c10k.csv} SVG=${SVG:-bench/c10k.svg} exec bench/hello-peers.sh "$@"
