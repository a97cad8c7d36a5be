package dev.fetchbus.verticles.files;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.OpenOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * A file that is either whole and durable under its final name, or gone. It is written under a temporary name
 * ({@code .<name>.part-<uuid>}, which a start-up sweep recognises); {@link #commit} succeeds only after every
 * write has completed, the file is synced, closed and as long as what was written, renamed atomically, and its
 * directory synced. So a row that points at the file commits after the bytes are on disk, never before. A failed
 * write (a full disk, an I/O error) fails the commit with a {@link StorageException}, and {@link #failures} hears of
 * it as it happens so a stream can stop early. File I/O runs on Vert.x's worker threads, never on the event loop.
 * Not thread-safe: use it from one context.
 */
public final class DurableFile {
  /** The marker in the names of files not yet committed. */
  public static final String PART = ".part-";

  private final Vertx vertx;
  private final Path directory;
  private final String temp;
  private final String target;
  private AsyncFile file;
  private long submitted;
  private long written;
  private int pending;
  private Throwable failure;
  private Promise<Void> settled;
  private Handler<Throwable> failures = err -> { };

  private DurableFile(Vertx vertx, Path directory, String name) {
    this.vertx = vertx;
    this.directory = directory;
    this.temp = directory.resolve(temporaryName(name)).toString();
    this.target = directory.resolve(name).toString();
  }

  /** {@code .<name>.part-<uuid>}: a fresh temporary name for a file that will be renamed to {@code name}. */
  public static String temporaryName(String name) {
    return "." + name + PART + UUID.randomUUID();
  }

  /** Whether {@code name} is a temporary name: a file left under one was never committed. */
  public static boolean isTemporary(String name) {
    return name.startsWith(".") && name.contains(PART);
  }

  /** Opens {@code <directory>/.<name>.part-<uuid>} for writing; {@code directory} must exist. */
  public static Future<DurableFile> open(Vertx vertx, Path directory, String name) {
    DurableFile durable = new DurableFile(vertx, directory, name);
    return vertx.fileSystem().open(durable.temp, new OpenOptions().setWrite(true).setCreateNew(true))
        .recover(err -> Future.failedFuture(durable.storageFailure("cannot create", err)))
        .map(opened -> {
          durable.file = opened;
          return durable;
        });
  }

  /** Called once, with the first failed write. */
  public DurableFile failures(Handler<Throwable> handler) {
    this.failures = handler;
    return this;
  }

  /** Queues a chunk; the returned future tells of this write alone. */
  public Future<Void> write(Buffer chunk) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    submitted += chunk.length();
    pending++;
    int length = chunk.length();
    return file.write(chunk).andThen(ar -> {
      pending--;
      if (ar.succeeded()) {
        written += length;
      } else if (failure == null) {
        failure = storageFailure("cannot write", ar.cause());
        failures.handle(failure);
      }
      if (pending == 0 && settled != null) {
        settle();
      }
    }).recover(err -> Future.failedFuture(failure));
  }

  public boolean writeQueueFull() {
    return file.writeQueueFull();
  }

  public DurableFile drainHandler(Handler<Void> handler) {
    file.drainHandler(handler);
    return this;
  }

  public DurableFile setWriteQueueMaxSize(int maxSize) {
    file.setWriteQueueMaxSize(maxSize);
    return this;
  }

  /** Bytes queued so far. */
  public long bytes() {
    return submitted;
  }

  /** Completes when every queued write has; fails with the first write's failure. */
  public Future<Void> written() {
    if (settled == null) {
      settled = Promise.promise();
      if (pending == 0) {
        settle();
      }
    }
    return settled.future();
  }

  private void settle() {
    if (failure != null) {
      settled.tryFail(failure);
    } else {
      settled.tryComplete();
    }
  }

  /** Makes the file durable under its final name (replacing any file of that name); see the class comment. */
  public Future<Void> commit() {
    return written()
        .compose(v -> file.flush().recover(err -> Future.failedFuture(storageFailure("cannot sync", err))))
        .compose(v -> file.close().recover(err -> Future.failedFuture(storageFailure("cannot close", err))))
        .compose(v -> vertx.fileSystem().props(temp))
        .compose(props -> props.size() == written ? Future.<Void>succeededFuture()
            : Future.failedFuture(new StorageException(temp + " holds " + props.size() + " bytes of " + written, null)))
        .compose(v -> vertx.fileSystem().move(temp, target, new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
        .compose(v -> syncDirectory(vertx, directory))
        .recover(err -> Future.failedFuture(err instanceof StorageException ? err : storageFailure("cannot store", err)));
  }

  /** Removes the file under either name; never fails. */
  public Future<Void> discard() {
    Future<Void> closed = file == null ? Future.succeededFuture() : file.close().otherwiseEmpty();
    return closed.compose(v -> Future.join(delete(temp), delete(target))).mapEmpty();
  }

  private Future<Void> delete(String path) {
    return vertx.fileSystem().delete(path).otherwiseEmpty();
  }

  private StorageException storageFailure(String what, Throwable cause) {
    Throwable root = cause.getCause() instanceof IOException io ? io : cause;
    return new StorageException(what + " " + temp + ": " + root.getMessage(), root);
  }

  /** Syncs a directory, so that the names created or renamed in it survive a crash. */
  public static Future<Void> syncDirectory(Vertx vertx, Path directory) {
    return vertx.executeBlocking(() -> {
      try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
        channel.force(true);
      } catch (IOException e) {
        throw new StorageException("cannot sync " + directory + ": " + e.getMessage(), e);
      }
      return null;
    }, false);
  }
}
