#!/bin/sh
# Prints the image's JVM flags: conf/jvm.options (the recommended flags) with its fixed heap ceiling replaced by a
# share of the container's memory limit. The Dockerfile runs it, and so does docker/check_image.py.
set -eu
grep -v '^-Xmx' "${1:-conf/jvm.options}"
cat <<'FLAGS'
# Container: the heap may take half the memory limit (docker-compose.yml gives every service one). The other half
# is for metaspace, code cache, direct buffers and thread stacks, and for the embedded PostgreSQL when the image
# runs without FETCHBUS_PG_URL.
-XX:MaxRAMPercentage=50
FLAGS
