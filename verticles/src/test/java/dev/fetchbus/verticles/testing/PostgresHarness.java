package dev.fetchbus.verticles.testing;

import dev.fetchbus.verticles.store.Database;
import dev.fetchbus.verticles.store.PostgresBinaries;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;

/**
 * A throwaway PostgreSQL for component tests: the server binaries io.zonky ships (the same the app embeds), a
 * cluster in a temp dir, a free loopback port, the project's Flyway migrations applied as {@code MigrationVerticle}
 * applies them. It hands out JDBC connections of the test's own ({@link #jdbc()}) and the configuration the store
 * verticle reads ({@link #pg()}, {@link #storeConfig()}), and {@link #close()} stops the server and deletes the
 * cluster. One per test class is the intended use ({@code @BeforeAll}/{@code @AfterAll}); tests that share it should
 * not depend on each other's rows (use fresh job ids and idempotency keys).
 *
 * <p>Why not zonky's {@code EmbeddedPostgres} itself: PostgreSQL refuses to run as root, and these tests (and CI) run
 * as root; {@code EmbeddedPostgres} cannot switch users. So the harness runs {@code initdb} and {@code pg_ctl}
 * itself, through {@code setpriv} as {@code nobody} when the JVM is root, and as the current user otherwise.
 */
public final class PostgresHarness implements AutoCloseable {
  private static final String USER = "postgres";
  private static final String DATABASE = "postgres";
  private static final String SERVER_USER_WHEN_ROOT = "nobody";
  private static final long COMMAND_TIMEOUT_SECONDS = 120;

  private final Path dir;
  private final Path cluster;
  private final Path serverLog;
  private final Path binaries;
  private final List<String> runAs;
  private final int port;
  private final Thread stopAtExit = new Thread(this::stopQuietly, "postgres-harness-stop");
  private boolean closed;

  private PostgresHarness(Path dir, Path binaries, List<String> runAs, int port) {
    this.dir = dir;
    this.cluster = dir.resolve("cluster");
    this.serverLog = dir.resolve("server.log");
    this.binaries = binaries;
    this.runAs = runAs;
    this.port = port;
  }

  /** Creates a cluster, starts the server on a free loopback port and migrates the schema. Blocks (seconds). */
  public static PostgresHarness start() throws IOException, InterruptedException {
    Path binaries = PostgresBinaries.extract();
    Path dir = Files.createTempDirectory("fetchbus-pg-test-");
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> runAs = root ? List.of("setpriv", "--reuid=" + SERVER_USER_WHEN_ROOT,
        "--regid=" + capture("id", "-gn", SERVER_USER_WHEN_ROOT), "--clear-groups", "--") : List.of();
    PostgresHarness pg = new PostgresHarness(dir, binaries, runAs, FreePort.next());
    try {
      pg.createCluster(root);
      pg.pgCtl("start", "-w", "-t", "60", "-l", pg.serverLog.toString());
      Runtime.getRuntime().addShutdownHook(pg.stopAtExit);
      pg.migrate();
    } catch (IOException | InterruptedException | RuntimeException e) {
      pg.close();
      throw e;
    }
    return pg;
  }

  /** The {@code pg} section of conf/config.json with {@code url} pointing here: a fresh copy each call. */
  public JsonObject pg() {
    return appConfig().getJsonObject("pg").put("url", url());
  }

  /** What the store verticle reads from its deployment config: the {@code pg}, {@code outbox} and {@code metrics} sections. */
  public JsonObject storeConfig() {
    JsonObject all = appConfig();
    return new JsonObject().put("pg", all.getJsonObject("pg").put("url", url()))
        .put("outbox", all.getJsonObject("outbox")).put("metrics", all.getJsonObject("metrics"));
  }

  /** {@code postgresql://user@127.0.0.1:port/db}, the form {@code pg.url} takes. */
  public String url() {
    return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + DATABASE;
  }

  public int port() {
    return port;
  }

  /** A JDBC connection of the test's own, outside any pool (auto-commit on); the caller closes it. */
  public Connection jdbc() throws SQLException {
    PgConnectOptions db = Database.connectOptions(pg());
    return DriverManager.getConnection(Database.jdbcUrl(db), db.getUser(), null);
  }

  /** Stops the server (fast shutdown: open sessions are ended) and deletes the cluster. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException | IllegalArgumentException notRegisteredOrExiting) {
      // Not registered (the start failed before), or the JVM is exiting and runs the hook itself.
    }
    stopQuietly();
    deleteTree(dir);
  }

  private void stopQuietly() {
    if (Files.exists(cluster.resolve("postmaster.pid"))) {
      try {
        pgCtl("stop", "-m", "fast", "-w", "-t", "30");
      } catch (IOException | InterruptedException e) {
        System.err.println("PostgresHarness: stopping the server failed: " + e.getMessage());
      }
    }
  }

  private void createCluster(boolean root) throws IOException, InterruptedException {
    Files.createDirectories(cluster);
    Files.createFile(serverLog);
    if (root) {
      // The server's user must pass through the temp dir and own the cluster and its log.
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName(SERVER_USER_WHEN_ROOT);
      Files.setOwner(cluster, owner);
      Files.setOwner(serverLog, owner);
    }
    run(command("initdb", "-D", cluster.toString(), "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C",
        "--no-sync"));
    // A server for tests: loopback only, no socket file, and no waiting for the disk.
    Files.writeString(cluster.resolve("postgresql.conf"), String.join("\n", "",
        "port = " + port,
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        ""), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  private void migrate() {
    PgConnectOptions db = Database.connectOptions(pg());
    Flyway.configure()
        .dataSource(Database.jdbcUrl(db), db.getUser(), null)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  private void pgCtl(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("-D", cluster.toString()));
    run(command("pg_ctl", all.toArray(String[]::new)));
  }

  private List<String> command(String program, String... args) {
    List<String> command = new ArrayList<>(runAs);
    command.add(binaries.resolve("bin").resolve(program).toString());
    command.addAll(Arrays.asList(args));
    return command;
  }

  /** Runs a command to its end; fails with its output (and the server log's tail) when it fails or hangs. */
  private void run(List<String> command) throws IOException, InterruptedException {
    Path output = Files.createTempFile("fetchbus-pg-test-cmd", ".log");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      process.getOutputStream().close();
      boolean ended = process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!ended) {
        process.destroyForcibly();
      }
      if (!ended || process.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + (ended ? " failed (exit code " + process.exitValue() + ")"
            : " did not finish in " + COMMAND_TIMEOUT_SECONDS + " s") + ":\n" + Files.readString(output)
            + "\nserver log:\n" + (Files.exists(serverLog) ? Files.readString(serverLog) : "(none)"));
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String capture(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  private static JsonObject appConfig() {
    try {
      // Surefire runs in the module's directory; conf/ is the project's one copy of the defaults.
      return new JsonObject(Files.readString(Path.of("../conf/config.json")));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("PostgresHarness: could not delete " + root + ": " + e);
    }
  }
}
