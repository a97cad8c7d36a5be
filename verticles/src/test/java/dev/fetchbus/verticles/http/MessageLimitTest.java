package dev.fetchbus.verticles.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import org.junit.jupiter.api.Test;

class MessageLimitTest {
  private static Buffer bytes(int n) {
    return Buffer.buffer(new byte[n]);
  }

  @Test
  void countsTheFramesOfOneMessageAndStartsAgainWithTheNext() {
    MessageLimit limit = new MessageLimit(10);
    assertThat(limit.admits(WebSocketFrame.binaryFrame(bytes(6), false))).isTrue();
    assertThat(limit.admits(WebSocketFrame.pingFrame(bytes(100)))).isTrue();
    assertThat(limit.admits(WebSocketFrame.continuationFrame(bytes(4), true))).isTrue();
    assertThat(limit.admits(WebSocketFrame.textFrame("0123456789", true))).isTrue();
    assertThat(limit.admits(WebSocketFrame.textFrame("01234", false))).isTrue();
    assertThat(limit.admits(WebSocketFrame.continuationFrame(bytes(6), true))).isFalse();
  }
}
