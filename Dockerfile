# syntax=docker/dockerfile:1
# Build: the Maven wrapper on a JDK 21 image (the code targets Java 17). Run: the fat jar on a JRE 21 image.

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY conf conf
COPY verticles verticles
COPY app app
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package
# The recommended flags of conf/jvm.options, with the fixed heap replaced by shares of the container's memory
# limit, and the module openings Hazelcast asks for when clustered.
RUN { grep -v -e '^-Xms' -e '^-Xmx' conf/jvm.options; \
      printf '%s\n' '# Container: the heap follows the memory limit.' \
        '-XX:InitialRAMPercentage=5' '-XX:MaxRAMPercentage=70' \
        '--add-modules=java.se' '--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED' \
        '--add-opens=java.base/java.lang=ALL-UNNAMED' '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED' \
        '--add-opens=java.management/sun.management=ALL-UNNAMED' \
        '--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED'; \
    } > jvm.options

FROM eclipse-temurin:21-jre
RUN groupadd --system fetchbus \
  && useradd --system --gid fetchbus --home-dir /app --no-create-home --shell /usr/sbin/nologin fetchbus \
  && mkdir -p /data && chown fetchbus:fetchbus /data
WORKDIR /app
COPY --from=build /src/app/target/fetchbus.jar /src/jvm.options ./
COPY docker/entrypoint.sh ./
USER fetchbus
# The data dir holds the embedded database (when FETCHBUS_PG_URL is unset), mirrored bodies and reports.
ENV FETCHBUS_DATA_DIR=/data
VOLUME /data
# HTTP, the TCP server, Hazelcast.
EXPOSE 8080 7000 5701
# No curl or wget in this image: the probe is a small class in the jar, on a JVM sized for it.
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-Xss256k", "-cp", "/app/fetchbus.jar", "dev.fetchbus.app.HealthProbe"]
ENTRYPOINT ["/app/entrypoint.sh"]
