package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.files.BodyDigest;
import dev.fetchbus.verticles.files.DurableFile;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.nio.file.Path;

/**
 * An upload on its way to disk, the destination of the request's pipe: it counts and digests each chunk before
 * handing it to a {@link DurableFile}, refuses the chunk that goes over the limit (which fails the pipe), and
 * passes the file's back-pressure through. Digesting one chunk (at most a few dozen KiB) on the event loop costs
 * microseconds.
 */
final class UploadFile implements WriteStream<Buffer> {
  private final long maxBytes;
  private final BodyDigest digest = new BodyDigest();
  private final DurableFile file;
  private boolean ended;

  private UploadFile(DurableFile file, long maxBytes) {
    this.file = file;
    this.maxBytes = maxBytes;
  }

  static Future<UploadFile> open(Vertx vertx, Path dir, String name, long maxBytes) {
    return DurableFile.open(vertx, dir, name).map(file -> new UploadFile(file, maxBytes));
  }

  @Override
  public Future<Void> write(Buffer chunk) {
    if (digest.bytes() + chunk.length() > maxBytes) {
      return Future.failedFuture(UploadRoutes.tooLarge(maxBytes));
    }
    digest.update(chunk);
    return file.write(chunk);
  }

  /** Completes once every write has (the pipe calls it when the body has ended, or has failed). */
  @Override
  public Future<Void> end() {
    ended = true;
    return file.written();
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
    file.failures(handler);
    return this;
  }

  /** Makes the complete file durable under its final name. */
  Future<Void> commit() {
    return file.commit();
  }

  /** Removes whatever is on disk, under either name; never fails. */
  Future<Void> discard() {
    return file.discard();
  }

  long bytes() {
    return digest.bytes();
  }

  String sha256() {
    return digest.hex();
  }
}
