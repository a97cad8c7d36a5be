package dev.fetchbus.verticles.files;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * A start-up sweep of one directory whose entries are named after database rows (uploads by upload id, mirror
 * directories and reports by job id). It removes entries left under a temporary name ({@link DurableFile#isTemporary}:
 * never committed) and entries whose row no longer exists, but only those last modified before {@code cutoff}: what
 * this process writes after it started is never touched. The directory is read {@value #CHUNK} names at a time,
 * each chunk's ids go to the store in one request, so neither memory nor a request grows with the directory. File
 * work runs on worker threads ({@code executeBlocking}), never on an event loop.
 */
public final class DirectorySweep {
  /** Names read, and ids asked about, at a time. */
  public static final int CHUNK = 1_000;
  /**
   * How far before start-up the cut-off lies: file times come from a coarse kernel clock that can lag the real one by
   * a tick, so a file written just after start-up could otherwise look older than it.
   */
  private static final long CLOCK_SLACK_MS = 1_000;

  /** The store's answer for a chunk: the ids whose rows exist, and of those the directories nothing writes to now. */
  public record Kept(Set<String> existing, Set<String> closed) {
    public static Kept existing(Set<String> ids) {
      return new Kept(ids, Set.of());
    }
  }

  /** What a sweep removed, and how many entries it could not remove (with the first reason). */
  public record Removed(int temporary, int orphans, int failed, String firstFailure) {
    static final Removed NONE = new Removed(0, 0, 0, null);

    Removed plus(Removed other) {
      return new Removed(temporary + other.temporary, orphans + other.orphans, failed + other.failed,
          firstFailure != null ? firstFailure : other.firstFailure);
    }

    /** "; N could not be removed (reason)" when some could not, else nothing: the end of a summary line. */
    public String failureNote() {
      return failed == 0 ? "" : "; " + failed + " could not be removed (" + firstFailure + ")";
    }
  }

  private final Vertx vertx;
  private final Path dir;
  private final Function<String, String> idOf;
  private final Function<List<String>, Future<Kept>> kept;
  private final Instant cutoff;

  /**
   * @param idOf the id of the row an entry name belongs to, or null for a name that is not one of ours (left alone)
   * @param kept asked once per chunk with its ids (at most {@value #CHUNK}); entries of ids it does not name go, and
   *     the temporary files inside the directories it names {@code closed} go too
   */
  public DirectorySweep(Vertx vertx, Path dir, Function<String, String> idOf,
                        Function<List<String>, Future<Kept>> kept, Instant cutoff) {
    this.vertx = vertx;
    this.dir = dir;
    this.idOf = idOf;
    this.kept = kept;
    this.cutoff = cutoff;
  }

  /** The cut-off for a sweep that starts with its owner: anything modified from (about) now on is left alone. */
  public static Instant cutoffNow() {
    return Instant.now().minusMillis(CLOCK_SLACK_MS);
  }

  /** {@code name} if it is a UUID in canonical form (the names we give files), else null. */
  public static String canonicalUuid(String name) {
    try {
      return UUID.fromString(name).toString().equals(name) ? name : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Sweeps the whole directory (nothing to do if it does not exist). */
  public Future<Removed> run() {
    return vertx.executeBlocking(() -> new Listing(dir), false)
        .compose(listing -> next(listing, Removed.NONE).eventually(() -> vertx.executeBlocking(() -> {
          listing.close();
          return null;
        }, false)));
  }

  private Future<Removed> next(Listing listing, Removed sofar) {
    return vertx.executeBlocking(() -> listing.next(CHUNK), false).compose(names -> {
      if (names.isEmpty()) {
        return Future.succeededFuture(sofar);
      }
      List<String> ids = names.stream().filter(name -> !DurableFile.isTemporary(name)).map(idOf)
          .filter(Objects::nonNull).distinct().toList();
      Future<Kept> answer = ids.isEmpty() ? Future.succeededFuture(Kept.existing(Set.of())) : kept.apply(ids);
      return answer.compose(keep -> vertx.executeBlocking(() -> sweep(names, keep), false))
          .compose(removed -> next(listing, sofar.plus(removed)));
    });
  }

  private Removed sweep(List<String> names, Kept keep) {
    Removed removed = Removed.NONE;
    for (String name : names) {
      Path entry = dir.resolve(name);
      if (DurableFile.isTemporary(name)) {
        removed = removed.plus(remove(entry, cutoff, new Removed(1, 0, 0, null)));
        continue;
      }
      String id = idOf.apply(name);
      if (id == null) {
        continue;
      }
      if (!keep.existing().contains(id)) {
        removed = removed.plus(remove(entry, cutoff, new Removed(0, 1, 0, null)));
      } else if (keep.closed().contains(id)) {
        removed = removed.plus(removeTemporaryIn(entry, cutoff));
      }
    }
    return removed;
  }

  /**
   * Removes the temporary files directly inside {@code directory} last modified before {@code before} (none if it is
   * not a directory). Blocking: call it on a worker thread.
   */
  public static Removed removeTemporaryIn(Path directory, Instant before) {
    Removed removed = Removed.NONE;
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      return removed;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory,
        entry -> DurableFile.isTemporary(entry.getFileName().toString()))) {
      for (Path entry : entries) {
        removed = removed.plus(remove(entry, before, new Removed(1, 0, 0, null)));
      }
    } catch (IOException e) {
      return removed.plus(new Removed(0, 0, 1, directory + ": " + e));
    }
    return removed;
  }

  /**
   * Removes every temporary file directly inside {@code directory}, on a worker thread; for one who knows that nothing
   * else writes there. Returns how many; fails if one could not be removed.
   */
  public static Future<Integer> removeTemporaryIn(Vertx vertx, Path directory) {
    return vertx.executeBlocking(() -> {
      Removed removed = removeTemporaryIn(directory, Instant.MAX);
      if (removed.failed() > 0) {
        throw new IOException("cannot remove " + removed.firstFailure());
      }
      return removed.temporary();
    }, false);
  }

  /** Removes {@code entry} (a whole tree if a directory) if modified before {@code before}; {@code counted} if so. */
  private static Removed remove(Path entry, Instant before, Removed counted) {
    try {
      if (!Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(before)) {
        return Removed.NONE;
      }
      removeTree(entry);
      return counted;
    } catch (NoSuchFileException gone) {
      return Removed.NONE;
    } catch (IOException e) {
      return new Removed(0, 0, 1, entry + ": " + e.getMessage());
    }
  }

  /**
   * Deletes a file, or a directory with everything in it (links are deleted, not followed); what is already gone is
   * no failure. Blocking: call it on a worker thread.
   */
  public static void removeTree(Path path) throws IOException {
    if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      Files.deleteIfExists(path);
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(directory);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** A directory's names, read a chunk at a time; empty if the directory does not exist. Used by one task at a time. */
  private static final class Listing implements AutoCloseable {
    private final DirectoryStream<Path> stream;
    private final Iterator<Path> entries;

    Listing(Path dir) throws IOException {
      stream = Files.isDirectory(dir) ? Files.newDirectoryStream(dir) : null;
      entries = stream == null ? List.<Path>of().iterator() : stream.iterator();
    }

    List<String> next(int max) {
      List<String> names = new ArrayList<>(max);
      while (names.size() < max && entries.hasNext()) {
        names.add(entries.next().getFileName().toString());
      }
      return names;
    }

    @Override
    public void close() throws IOException {
      if (stream != null) {
        stream.close();
      }
    }
  }
}
