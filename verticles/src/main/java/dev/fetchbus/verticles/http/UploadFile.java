package dev.fetchbus.verticles.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An upload on its way to disk, the destination of the request's pipe: it counts and digests each chunk before
 * handing it to the file, refuses the chunk that goes over the limit (which fails the pipe), and passes the
 * file's back-pressure through. The file is written under a temporary name and renamed by {@link #commit()}.
 * Digesting one chunk (at most a few dozen KiB) on the event loop costs microseconds.
 */
final class UploadFile implements WriteStream<Buffer> {
  private final Vertx vertx;
  private final String temp;
  private final String target;
  private final long maxBytes;
  private final MessageDigest sha256;
  private AsyncFile file;
  private long bytes;
  private boolean ended;

  UploadFile(Vertx vertx, String dir, String name, long maxBytes) {
    this.vertx = vertx;
    this.temp = dir + "/." + name + ".part";
    this.target = dir + "/" + name;
    this.maxBytes = maxBytes;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Future<UploadFile> open() {
    return vertx.fileSystem().open(temp, new OpenOptions().setWrite(true).setCreateNew(true)).map(opened -> {
      file = opened;
      return this;
    });
  }

  @Override
  public Future<Void> write(Buffer chunk) {
    bytes += chunk.length();
    if (bytes > maxBytes) {
      return Future.failedFuture(UploadRoutes.tooLarge(maxBytes));
    }
    // The chunk's own bytes, not getBytes()'s copy: a 2 GiB upload would copy and collect 2 GiB more.
    sha256.update(((BufferInternal) chunk).getByteBuf().nioBuffer());
    return file.write(chunk);
  }

  /** Flushes and closes the file (the pipe calls it when the body has ended, or has failed). */
  @Override
  public Future<Void> end() {
    ended = true;
    return file.end();
  }

  /** False once ended: a pipe whose write was refused ends this stream and then still asks. */
  @Override
  public boolean writeQueueFull() {
    return !ended && file.writeQueueFull();
  }

  @Override
  public UploadFile drainHandler(Handler<Void> handler) {
    file.drainHandler(handler);
    return this;
  }

  @Override
  public UploadFile setWriteQueueMaxSize(int maxSize) {
    file.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public UploadFile exceptionHandler(Handler<Throwable> handler) {
    file.exceptionHandler(handler);
    return this;
  }

  /** Moves the complete file to its final name. */
  Future<Void> commit() {
    return vertx.fileSystem().move(temp, target, new CopyOptions().setAtomicMove(true));
  }

  /** Removes whatever is on disk, under either name; never fails. */
  Future<Void> discard() {
    return Future.join(delete(temp), delete(target)).mapEmpty();
  }

  private Future<Void> delete(String path) {
    return vertx.fileSystem().delete(path).otherwiseEmpty();
  }

  long bytes() {
    return bytes;
  }

  String sha256() {
    return HexFormat.of().formatHex(sha256.digest());
  }
}
