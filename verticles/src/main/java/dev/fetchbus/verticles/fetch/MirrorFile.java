package dev.fetchbus.verticles.fetch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.OpenOptions;
import java.util.UUID;

/**
 * A body written to disk as it arrives: to a temporary name first, renamed to its final name only when the body
 * is complete, deleted otherwise. File I/O goes through Vert.x's file system, off the event loop.
 */
final class MirrorFile {
  private final Vertx vertx;
  private final String target;
  private final String temp;
  private final String relative;
  private Future<AsyncFile> file;

  /** {@code dir} is absolute; {@code relative} is the final file's path as results report it. */
  MirrorFile(Vertx vertx, String dir, String name, String relative) {
    this.vertx = vertx;
    this.target = dir + "/" + name;
    this.temp = dir + "/." + name + ".part-" + UUID.randomUUID();
    this.relative = relative;
  }

  Future<AsyncFile> open() {
    file = vertx.fileSystem().open(temp, new OpenOptions().setWrite(true).setCreateNew(true));
    return file;
  }

  /** Completes with the final path once the file is flushed, closed and renamed. */
  Future<String> commit() {
    return file.compose(AsyncFile::close)
        .compose(v -> vertx.fileSystem().move(temp, target, new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
        .map(relative);
  }

  /** Removes the partial file; never fails. */
  Future<Void> discard() {
    if (file == null) {
      return Future.succeededFuture();
    }
    return file.compose(AsyncFile::close)
        .transform(ar -> vertx.fileSystem().delete(temp))
        .otherwiseEmpty();
  }
}
