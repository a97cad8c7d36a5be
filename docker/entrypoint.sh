#!/bin/sh
# Starts Fetchbus in the container. The cluster host must be an address the other containers reach, so unless
# FETCHBUS_CLUSTER_HOST is set it is this container's own address (the first that its host name resolves to).
set -eu
if [ -z "${FETCHBUS_CLUSTER_HOST:-}" ]; then
  FETCHBUS_CLUSTER_HOST=$(hostname -i | cut -d' ' -f1)
  export FETCHBUS_CLUSTER_HOST
fi
# JAVA_OPTS: extra JVM flags, split on spaces on purpose.
# shellcheck disable=SC2086
exec java @/app/jvm.options ${JAVA_OPTS:-} -jar /app/fetchbus.jar "$@"
