package dev.fetchbus.app;

import dev.fetchbus.verticles.store.Database;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** The whole app, in this JVM, on a real embedded PostgreSQL, with the blocked-thread checker strict. */
final class TestApp implements AutoCloseable {
  final FetchbusApp app;
  final int port;

  private TestApp(FetchbusApp app, int port) {
    this.app = app;
    this.port = port;
  }

  /** A fresh data dir, private (0700) as mktemp makes it: the app must cope when it runs PostgreSQL as nobody. */
  static Path newDataDir() throws IOException {
    return Files.createTempDirectory("fetchbus-test-");
  }

  static TestApp start(Path dataDir) throws Exception {
    int port = freePort();
    JsonObject config = ConfigLoader.load(Map.of(
        "FETCHBUS_DATA_DIR", dataDir.toString(),
        "FETCHBUS_HTTP_PORT", Integer.toString(port),
        "FETCHBUS_TCP_PORT", "0",
        "FETCHBUS_FETCH_ALLOW", "127.0.0.0/8"));
    config.getJsonObject("vertx")
        .put("maxEventLoopExecuteTimeMs", StrictVertx.MAX_EVENT_LOOP_MS)
        .put("blockedThreadCheckIntervalMs", StrictVertx.CHECK_INTERVAL_MS);
    config.getJsonObject("fetch").put("sweepIntervalMs", 500);
    config.getJsonObject("outbox").put("pollMs", 100).put("leaseMs", 2_000).put("retryBaseMs", 100).put("retryMaxMs", 300);
    FetchbusApp app = FetchbusApp.start(config, DeploymentPlan.fromJson(ConfigLoader.resource("conf/plan.json")));
    return new TestApp(app, port);
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Rows in the jobs table, read straight from PostgreSQL. */
  long jobRows() throws Exception {
    return jobRows("true");
  }

  /** Rows in the jobs table matching a condition (test-written SQL). */
  long jobRows(String where) throws Exception {
    PgConnectOptions db = Database.connectOptions(app.config().getJsonObject("pg"));
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(db), db.getUser(), db.getPassword());
         ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM jobs WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void close() throws Exception {
    app.stop();
  }

  static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
