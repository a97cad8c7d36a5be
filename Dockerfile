# syntax=docker/dockerfile:1
# Build: the Maven wrapper on a JDK 21 image (the code targets Java 17). Run: the fat jar on a JRE 21 image.

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY conf conf
COPY docs docs
COPY docker docker
COPY verticles verticles
COPY app app
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package
# The recommended flags with the heap sized by the container's memory limit. The module openings Hazelcast asks
# for are in the jar's manifest.
RUN sh docker/jvm-options.sh conf/jvm.options > jvm.options

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
# HTTP, the TCP echo, the TCP event-bus bridge (when FETCHBUS_BRIDGE_PORT is set), Hazelcast.
EXPOSE 8080 7000 7001 5701
# No curl or wget in this image: the probe is a small class in the jar, on a JVM sized for it.
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-Xss256k", "-cp", "/app/fetchbus.jar", "dev.fetchbus.app.HealthProbe"]
ENTRYPOINT ["/app/entrypoint.sh"]
