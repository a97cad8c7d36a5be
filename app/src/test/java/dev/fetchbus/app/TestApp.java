package dev.fetchbus.app;

import dev.fetchbus.verticles.store.Database;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The whole app, in this JVM, on a real embedded PostgreSQL, with the blocked-thread checker strict. */
final class TestApp implements AutoCloseable {
  /** {@code uploads.maxBytes} in tests: small, so that refusing an oversize body costs little. */
  static final long UPLOAD_MAX_BYTES = 8L << 20;

  /** {@code pg.embedded.fallbackDir}, as the tests leave it. */
  static final Path FALLBACK_DIR = Path.of(ConfigLoader.resource("conf/config.json").getJsonObject("pg")
      .getJsonObject("embedded").getString("fallbackDir"));

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
    return start(dataDir, config -> { });
  }

  /** With only the plan entries {@code roles} names (comma-separated). */
  static TestApp start(Path dataDir, String roles) throws Exception {
    return start(dataDir, config -> config.put("roles", new JsonArray(List.of(roles.split(",")))));
  }

  /** With more environment variables, e.g. FETCHBUS_BRIDGE_PORT. */
  static TestApp start(Path dataDir, Map<String, String> environment) throws Exception {
    return start(dataDir, environment, config -> { });
  }

  /** Starts with the test defaults, then the test's own changes to the configuration. */
  static TestApp start(Path dataDir, Consumer<JsonObject> adjust) throws Exception {
    return start(dataDir, Map.of(), adjust);
  }

  static TestApp start(Path dataDir, Map<String, String> environment, Consumer<JsonObject> adjust)
      throws Exception {
    int port = freePort();
    Map<String, String> env = new HashMap<>(environment);
    env.put("FETCHBUS_DATA_DIR", dataDir.toString());
    env.put("FETCHBUS_HTTP_PORT", Integer.toString(port));
    env.put("FETCHBUS_TCP_PORT", "0");
    env.put("FETCHBUS_FETCH_ALLOW", "127.0.0.0/8");
    JsonObject config = ConfigLoader.load(env);
    config.getJsonObject("vertx")
        .put("maxEventLoopExecuteTimeMs", StrictVertx.MAX_EVENT_LOOP_MS)
        .put("blockedThreadCheckIntervalMs", StrictVertx.CHECK_INTERVAL_MS);
    config.getJsonObject("fetch").put("sweepIntervalMs", 500);
    config.getJsonObject("uploads").put("maxBytes", UPLOAD_MAX_BYTES);
    // Off by default too; HttpWarmupTest turns it on.
    config.getJsonObject("http").getJsonObject("warmup").put("requests", 0);
    config.getJsonObject("outbox").put("pollMs", 100).put("leaseMs", 2_000)
        .put("backoff", new JsonObject().put("baseMs", 100).put("maxMs", 300));
    adjust.accept(config);
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
    return count("SELECT count(*) FROM jobs WHERE " + where);
  }

  /** Rows in the uploads table, read straight from PostgreSQL. */
  long uploadRows() throws Exception {
    return count("SELECT count(*) FROM uploads");
  }

  /** The rows of a query (test-written SQL), each as its columns' values. */
  List<List<Object>> rows(String sql) throws Exception {
    try (Connection c = jdbc(); ResultSet rs = c.createStatement().executeQuery(sql)) {
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /** The first column of the first row of a query (test-written SQL), read straight from PostgreSQL. */
  long count(String sql) throws Exception {
    try (Connection c = jdbc(); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Runs test-written SQL in one transaction, straight on PostgreSQL: to make the faults a crash would make. */
  void execute(String... statements) throws Exception {
    try (Connection c = jdbc()) {
      c.setAutoCommit(false);
      for (String sql : statements) {
        c.createStatement().execute(sql);
      }
      c.commit();
    }
  }

  /** A JDBC connection of the test's own to the app's database, outside the app's pool. */
  Connection jdbc() throws java.sql.SQLException {
    PgConnectOptions db = Database.connectOptions(app.config().getJsonObject("pg"));
    return DriverManager.getConnection(Database.jdbcUrl(db), db.getUser(), db.getPassword());
  }

  /** Requests an address on the app's own event bus, as a verticle would. */
  JsonObject request(String address, JsonObject body) {
    return StrictVertx.await(app.vertx().eventBus().<JsonObject>request(address, body).map(io.vertx.core.eventbus.Message::body));
  }

  @Override
  public void close() throws Exception {
    app.stop();
  }

  /**
   * Where the embedded cluster of a data dir lives: {@code <dataDir>/postgres}, or, as root when the server's user
   * cannot reach the data dir (the tests' private temp dirs), under {@code pg.embedded.fallbackDir}.
   */
  static Path clusterOf(Path dataDir) throws IOException {
    Path fallback = EmbeddedDatabase.fallbackCluster(FALLBACK_DIR, dataDir);
    return Files.exists(fallback.resolve("PG_VERSION")) ? fallback : dataDir.resolve("postgres");
  }

  /** The postmaster's PID, from the first line of its cluster's postmaster.pid. */
  static long postmasterPid(Path dataDir) throws IOException {
    return Long.parseLong(Files.readAllLines(clusterOf(dataDir).resolve("postmaster.pid")).get(0).strip());
  }

  /** Deletes a directory tree and, if it was a data dir whose cluster lives elsewhere, that cluster too. */
  static void delete(Path dir) throws IOException {
    Path fallback = EmbeddedDatabase.fallbackCluster(FALLBACK_DIR, dir).getParent();
    if (Files.exists(fallback)) {
      deleteTree(fallback);
    }
    deleteTree(dir);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A port nothing listens on right now (the OS's pick). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
