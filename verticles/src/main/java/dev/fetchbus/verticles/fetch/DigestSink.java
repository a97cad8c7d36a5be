package dev.fetchbus.verticles.fetch;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A write stream that keeps nothing: it counts the bytes and feeds them to SHA-256 as they arrive. */
final class DigestSink implements WriteStream<Buffer> {
  private final MessageDigest sha256;
  private long bytes;

  DigestSink() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  long bytes() {
    return bytes;
  }

  String hex() {
    return HexFormat.of().formatHex(sha256.digest());
  }

  @Override
  public Future<Void> write(Buffer data) {
    byte[] chunk = data.getBytes();
    sha256.update(chunk);
    bytes += chunk.length;
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    return this;
  }
}
