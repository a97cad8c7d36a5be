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
 * passes back-pressure through: the file's, and the {@link UploadPacer}'s while the loop is busy with other
 * requests. Digesting one chunk (at most a few dozen KiB) on the event loop costs microseconds.
 */
final class UploadFile implements WriteStream<Buffer> {
  private final long maxBytes;
  private final BodyDigest digest = new BodyDigest();
  private final DurableFile file;
  private final UploadPacer pacer;
  private boolean ended;

  private UploadFile(DurableFile file, long maxBytes, UploadPacer pacer) {
    this.file = file;
    this.maxBytes = maxBytes;
    this.pacer = pacer;
  }

  static Future<UploadFile> open(Vertx vertx, Path dir, String name, long maxBytes, UploadPacer pacer) {
    return DurableFile.open(vertx, dir, name).map(file -> new UploadFile(file, maxBytes, pacer));
  }

  @Override
  public Future<Void> write(Buffer chunk) {
    if (digest.bytes() + chunk.length() > maxBytes) {
      return Future.failedFuture(UploadRoutes.tooLarge(maxBytes));
    }
    digest.update(chunk);
    pacer.took(chunk.length());
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
    return !ended && (pacer.exhausted() || file.writeQueueFull());
  }

  /** The pipe asks for this each time the queue is full: the pacer's window or the file's drain resumes it. */
  @Override
  public UploadFile drainHandler(Handler<Void> handler) {
    if (handler != null && pacer.exhausted()) {
      pacer.whenRefilled(handler);
    } else {
      file.drainHandler(handler);
    }
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
