package dev.fetchbus.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small real file systems for tests that need a volume to fill up: tmpfs mounts, which need root. */
final class Tmpfs {
  private Tmpfs() {
  }

  /** Mounts a tmpfs of {@code size} (e.g. "2m"), writable by all; fails (never skips) where that is not allowed. */
  static Path mount(Path dir, String size) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int code = run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0777", "tmpfs", dir.toString());
    if (code != 0) {
      throw new IllegalStateException("cannot mount a tmpfs at " + dir + " (exit " + code + "): this test needs root"
          + " (CI runs as root), or run it in a user namespace: unshare -rm ./mvnw -B verify");
    }
    return dir;
  }

  static void unmount(Path dir) throws IOException, InterruptedException {
    run("umount", dir.toString());
  }

  private static int run(String... command) throws IOException, InterruptedException {
    return new ProcessBuilder(command).inheritIO().start().waitFor();
  }
}
