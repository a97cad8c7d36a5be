package dev.fetchbus.verticles.tcp;

import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into {@code \n}-terminated lines, whatever the packet boundaries. A line longer than the limit
 * (counted without its {@code \n}) is refused as soon as it is known to be too long, before its end arrives, so at
 * most {@code maxLineBytes} are ever held for an unfinished line. After a refusal the rest of the stream is ignored.
 */
final class LineFramer {
  private final int maxLineBytes;
  private final Consumer<Buffer> lines;
  private final Runnable tooLong;
  private Buffer unfinished = Buffer.buffer();
  private boolean refused;

  /** {@code lines} gets each line with its {@code \n}; {@code tooLong} runs once, for the first line over the limit. */
  LineFramer(int maxLineBytes, Consumer<Buffer> lines, Runnable tooLong) {
    this.maxLineBytes = maxLineBytes;
    this.lines = lines;
    this.tooLong = tooLong;
  }

  void feed(Buffer chunk) {
    int start = 0;
    for (int i = 0; i < chunk.length() && !refused; i++) {
      if (chunk.getByte(i) == '\n') {
        complete(chunk, start, i + 1);
        start = i + 1;
      }
    }
    if (!refused && fits(chunk.length() - start)) {
      unfinished.appendBuffer(chunk, start, chunk.length() - start);
    }
  }

  /** The line made of what is held plus {@code chunk[start, end)}, its {@code \n} included. */
  private void complete(Buffer chunk, int start, int end) {
    if (!fits(end - 1 - start)) {
      return;
    }
    if (unfinished.length() == 0) {
      lines.accept(chunk.getBuffer(start, end));
    } else {
      Buffer line = unfinished.appendBuffer(chunk, start, end - start);
      unfinished = Buffer.buffer();
      lines.accept(line);
    }
  }

  /** Whether the unfinished line may grow by {@code more} bytes; refuses the stream if not. */
  private boolean fits(int more) {
    if (unfinished.length() + more <= maxLineBytes) {
      return true;
    }
    refused = true;
    unfinished = Buffer.buffer();
    tooLong.run();
    return false;
  }
}
