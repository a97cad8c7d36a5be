package dev.fetchbus.verticles.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.impl.HttpServerConnection;

/**
 * A frame that Netty's decoder refuses (over the frame limit, or malformed) ends in a close frame with the decoder's
 * status, not in a connection reset. Left to Vert.x, the decoder's exception closes the channel at once, with the
 * rest of the client's frame still unread; the kernel answers unread data with a reset, which overtakes the close
 * frame. Here the exception is kept from Vert.x and the WebSocket closed the ordinary way: the close frame goes out,
 * every byte the client still sends is dropped before it reaches the decoder, and the server's WebSocket closing
 * timeout ({@code http.webSocket.closingTimeoutSeconds}) bounds how long that goes on before the TCP close.
 */
final class FrameViolations {
  private FrameViolations() {
  }

  /**
   * For the socket {@code upgraded} became. Vert.x shows the Netty pipeline only through its implementation's
   * connection interface (vertx-web wraps the socket, so not through the socket's).
   */
  static void install(HttpServerRequest upgraded, ServerWebSocket ws) {
    ChannelPipeline pipeline = ((HttpServerConnection) upgraded.connection()).channelHandlerContext().pipeline();
    String decoder = pipeline.context(WebSocketFrameDecoder.class).name();
    Discard discard = new Discard();
    pipeline.addBefore(decoder, "fetchbus-ws-discard", discard);
    pipeline.addAfter(decoder, "fetchbus-ws-violations", new CloseOnViolation(ws, discard));
  }

  /** Before the decoder: once on, releases what arrives (the decoder would go through it a byte at a time). */
  private static final class Discard extends ChannelInboundHandlerAdapter {
    private boolean on;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (on) {
        ReferenceCountUtil.release(msg);
      } else {
        ctx.fireChannelRead(msg);
      }
    }
  }

  /** After the decoder, before Vert.x: where the decoder's exception arrives. */
  private static final class CloseOnViolation extends ChannelInboundHandlerAdapter {
    private final ServerWebSocket ws;
    private final Discard discard;

    CloseOnViolation(ServerWebSocket ws, Discard discard) {
      this.ws = ws;
      this.discard = discard;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof CorruptedWebSocketFrameException corrupt) {
        discard.on = true;
        ws.close((short) corrupt.closeStatus().code(), corrupt.closeStatus().reasonText());
      } else {
        ctx.fireExceptionCaught(cause);
      }
    }
  }
}
