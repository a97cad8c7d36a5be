package dev.fetchbus.verticles.http;

import io.vertx.core.http.WebSocketFrame;

/** Counts the bytes of the WebSocket message being received, frame by frame, against a limit. */
final class MessageLimit {
  private final long maxBytes;
  private long messageBytes;

  MessageLimit(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** False once the message this frame belongs to is over the limit. Control frames do not count. */
  boolean admits(WebSocketFrame frame) {
    if (!frame.isText() && !frame.isBinary() && !frame.isContinuation()) {
      return true;
    }
    messageBytes = (frame.isContinuation() ? messageBytes : 0) + frame.binaryData().length();
    return messageBytes <= maxBytes;
  }
}
