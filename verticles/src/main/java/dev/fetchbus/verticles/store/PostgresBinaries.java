package dev.fetchbus.verticles.store;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server binaries shipped in the jar (io.zonky's archive), unpacked for the embedded database and for
 * the store's component tests.
 */
public final class PostgresBinaries {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);

  private PostgresBinaries() {
  }

  /**
   * Unpacks the binaries once per archive into {@code java.io.tmpdir/fetchbus-postgres/<digest>}, readable and
   * runnable by every user (the server may run as another user than the one who unpacked them), atomically (so that
   * concurrent JVMs never see half an extraction), and returns their directory.
   */
  public static Path extract() throws IOException {
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
    Path root = Path.of(System.getProperty("java.io.tmpdir"), "fetchbus-postgres");
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
          Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(out, permissions(entry.getMode()));
        }
      }
    }
    // Directories too, whatever the umask: another user runs the server from them.
    try (Stream<Path> dirs = Files.walk(staging)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException raced) {
      if (!Files.isExecutable(target.resolve("bin").resolve("postgres"))) {
        throw raced;
      }
      // Another JVM unpacked the same archive first: its copy is the one kept.
      try (Stream<Path> mine = Files.walk(staging)) {
        for (Path path : mine.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
    return target;
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    return PosixFilePermissions.fromString((mode & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--");
  }
}
