package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.JobId;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket routes. Each upgrades inside its route ({@code ctx.request().toWebSocket()}), so the router's
 * middleware has run on the upgrade request; the frame and message size limits are the server's (HttpVerticle).
 */
final class WebSocketRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketRoutes.class);

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

  private static void requireUpgrade(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      throw new Problem.InvalidRequest(Problem.of(400, "websocket-required", "WebSocket upgrade required",
          ctx.request().path() + " speaks WebSocket only: send an upgrade request"));
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
