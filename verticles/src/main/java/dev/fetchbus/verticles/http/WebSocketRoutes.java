package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.JobId;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket routes. Each upgrades inside its route ({@code ctx.request().toWebSocket()}), so the router's
 * middleware has run on the upgrade request; the frame and message size limits are the server's (HttpVerticle).
 */
final class WebSocketRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketRoutes.class);
  private static final String WEBSOCKET_VERSION = "13";
  private static final CharSequence SEC_WEBSOCKET_KEY = HttpHeaders.createOptimized("Sec-WebSocket-Key");
  private static final CharSequence SEC_WEBSOCKET_VERSION = HttpHeaders.createOptimized("Sec-WebSocket-Version");

  private final Vertx vertx;
  private final ProgressFeed progress;
  private final long idleTimeoutMs;
  private final int maxMessageBytes;

  /** {@code http} is the {@code http} config section, with its {@code webSocket} section. */
  WebSocketRoutes(Vertx vertx, ProgressFeed progress, JsonObject http) {
    JsonObject webSocket = http.getJsonObject("webSocket");
    long idleSeconds = webSocket.getLong("idleTimeoutSeconds");
    // The server's own idle timeout drops a connection without a close frame: this one must come first.
    if (idleSeconds >= http.getLong("idleTimeoutSeconds")) {
      throw new IllegalArgumentException("http.webSocket.idleTimeoutSeconds (" + idleSeconds
          + ") must be below http.idleTimeoutSeconds (" + http.getLong("idleTimeoutSeconds") + ")");
    }
    this.vertx = vertx;
    this.progress = progress;
    this.idleTimeoutMs = idleSeconds * 1_000;
    this.maxMessageBytes = webSocket.getInteger("maxMessageBytes");
  }

  void mount(Router router) {
    router.get("/ws/echo").handler(this::echo);
    router.get("/ws/jobs/:id").handler(this::jobProgress);
  }

  private void echo(RoutingContext ctx) {
    requireUpgrade(ctx);
    ctx.request().toWebSocket().onSuccess(ws -> {
      RequestTracker.upgraded(ctx);
      FrameViolations.install(ctx.request(), ws);
      echo(ws);
    }).onFailure(ctx::fail);
  }

  /**
   * Echoes each message as it came (text as text, binary as binary). Vert.x answers pings itself. A frame over the
   * server's frame limit is closed with 1009 by {@link FrameViolations}; a message over the limit here, also with
   * 1009. A connection without frames for the idle time is closed with 1001 (going away).
   */
  private void echo(ServerWebSocket ws) {
    IdleTimeout idle = new IdleTimeout(vertx, idleTimeoutMs, () -> ws.close(CloseCode.GOING_AWAY, "idle timeout"));
    MessageLimit limit = new MessageLimit(maxMessageBytes);
    idle.touch();
    ws.frameHandler(frame -> {
      idle.touch();
      if (!limit.admits(frame)) {
        ws.close(CloseCode.MESSAGE_TOO_BIG, "message over " + maxMessageBytes + " bytes");
      }
    });
    ws.textMessageHandler(text -> {
      ws.writeTextMessage(text);
      holdBackIfFull(ws);
    });
    ws.binaryMessageHandler(data -> {
      ws.writeBinaryMessage(data);
      holdBackIfFull(ws);
    });
    ws.drainHandler(v -> ws.resume());
    ws.exceptionHandler(err -> LOG.debug("WebSocket echo from {}: {}", ws.remoteAddress(), err.toString()));
    ws.closeHandler(v -> idle.cancel());
    closeOnShutdown(ws);
  }

  /** Without this, a server shutdown waits its whole drain time for open sockets, then cuts them. */
  private static void closeOnShutdown(ServerWebSocket ws) {
    ws.shutdownHandler(v -> ws.close(CloseCode.GOING_AWAY, "server stopping"));
  }

  /** A client that sends faster than it reads is not read from until it has taken its echoes. */
  private static void holdBackIfFull(ServerWebSocket ws) {
    if (ws.writeQueueFull()) {
      ws.pause();
    }
  }

  /** The job's progress as text frames (the same JSON as the event stream), closed with 1000 after the final one. */
  private void jobProgress(RoutingContext ctx) {
    String id = JobId.canonical(ctx.pathParam("id"));
    requireUpgrade(ctx);
    // Read the job before upgrading, so an unknown job is an ordinary 404 problem. Until then the request is
    // paused: the upgrade needs its end still unread.
    ctx.request().pause();
    progress.current(id)
        .compose(now -> ctx.request().toWebSocket().map(ws -> {
          RequestTracker.upgraded(ctx);
          FrameViolations.install(ctx.request(), ws);
          ProgressFeed.Subscription feed = progress.follow(id, now, new ProgressFeed.Sink() {
            @Override
            public void send(JsonObject event) {
              ws.writeTextMessage(event.encode());
            }

            @Override
            public void end() {
              ws.close(CloseCode.NORMAL, "job ended");
            }

            @Override
            public void keepAlive() {
              ws.writePing(Buffer.buffer());
            }
          });
          ws.closeHandler(v -> feed.close());
          closeOnShutdown(ws);
          return ws;
        }))
        .onFailure(err -> {
          ctx.request().resume();
          ctx.fail(err);
        });
  }

  /**
   * Checks the upgrade request as Vert.x's handshake would, so that a request it would refuse gets a problem here:
   * once {@code toWebSocket()} has begun, Vert.x answers a bad handshake itself, in plain text. Only RFC 6455
   * (version 13) is spoken; a handshake has no body.
   */
  private static void requireUpgrade(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String connection = request.getHeader(HttpHeaders.CONNECTION);
    String key = request.getHeader(SEC_WEBSOCKET_KEY);
    // Vert.x reads the first Connection header, Netty's handshaker the tokens of all of them, and of Upgrade.
    boolean handshake = request.canUpgradeToWebSocket()
        && connection != null && connection.toLowerCase(Locale.ROOT).contains("upgrade")
        && hasToken(request, HttpHeaders.CONNECTION, "upgrade") && hasToken(request, HttpHeaders.UPGRADE, "websocket")
        && WEBSOCKET_VERSION.equals(request.getHeader(SEC_WEBSOCKET_VERSION))
        && key != null && !key.isBlank()
        && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        && request.getHeader(HttpHeaders.CONTENT_LENGTH) == null
        && isUri(request.uri());
    if (!handshake) {
      ctx.response().putHeader(SEC_WEBSOCKET_VERSION, WEBSOCKET_VERSION);
      throw new Problem.Refused(Problem.of(400, "websocket-required", "WebSocket upgrade required",
          request.path() + " speaks WebSocket only: send an RFC 6455 upgrade request (Connection: Upgrade, "
              + "Upgrade: websocket, Sec-WebSocket-Version: 13, a Sec-WebSocket-Key, no body)"));
    }
  }

  private static boolean hasToken(HttpServerRequest request, CharSequence header, String token) {
    return request.headers().getAll(header).stream().flatMap(value -> Arrays.stream(value.split(",")))
        .anyMatch(value -> value.trim().equalsIgnoreCase(token));
  }

  private static boolean isUri(String uri) {
    try {
      new URI(uri);
      return true;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** RFC 6455 close codes. */
  static final class CloseCode {
    static final short NORMAL = 1000;
    static final short GOING_AWAY = 1001;
    static final short MESSAGE_TOO_BIG = 1009;

    private CloseCode() {
    }
  }
}
