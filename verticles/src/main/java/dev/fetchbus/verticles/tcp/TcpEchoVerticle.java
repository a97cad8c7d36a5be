package dev.fetchbus.verticles.tcp;

import dev.fetchbus.verticles.auth.ApiTokens;
import dev.fetchbus.verticles.auth.PublicBind;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP line echo on {@code tcp.host}:{@code tcp.port}: every {@code \n}-terminated line comes back as it was sent.
 * A line over {@code tcp.maxLineBytes} gets an error line and the connection is closed; a connection without
 * traffic for {@code tcp.idleTimeoutSeconds} is closed. A client that does not read its echoes is not read from.
 */
public class TcpEchoVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TcpEchoVerticle.class);

  private NetServer server;
  private long drainMs;
  private int maxLineBytes;
  private Buffer lineTooLong;

  @Override
  public Future<?> start() {
    JsonObject tcp = config().getJsonObject("tcp");
    JsonObject auth = config().getJsonObject("auth");
    // The echo is a sign of life, not an API, but a node that listens beyond loopback is one that carries tokens.
    PublicBind.check(tcp.getString("host"), ApiTokens.of(auth == null ? null : auth.getJsonArray("tokens")));
    drainMs = tcp.getLong("drainMs");
    maxLineBytes = tcp.getInteger("maxLineBytes");
    lineTooLong = Buffer.buffer("ERR line too long (max " + maxLineBytes + " bytes)\n");
    server = vertx.createNetServer(new NetServerOptions()
            .setHost(tcp.getString("host"))
            .setPort(tcp.getInteger("port"))
            .setAcceptBacklog(tcp.getInteger("acceptBacklog"))
            .setIdleTimeout(tcp.getInteger("idleTimeoutSeconds"))
            .setIdleTimeoutUnit(TimeUnit.SECONDS))
        .connectHandler(this::echo);
    return server.listen()
        .onSuccess(s -> LOG.info("TCP echo listening on {}:{}", tcp.getString("host"), s.actualPort()));
  }

  /** The port the server listens on: the one picked by the system when {@code tcp.port} is 0. */
  public int actualPort() {
    return server.actualPort();
  }

  /** Stops accepting; open connections are ended once their echoes are written, or cut after {@code tcp.drainMs}. */
  @Override
  public Future<?> stop() {
    return server.shutdown(drainMs, TimeUnit.MILLISECONDS);
  }

  private void echo(NetSocket socket) {
    LineFramer framer = new LineFramer(maxLineBytes, socket::write, () -> socket.end(lineTooLong));
    socket.handler(chunk -> {
      framer.feed(chunk);
      if (socket.writeQueueFull()) {
        socket.pause();
      }
    });
    socket.drainHandler(v -> socket.resume());
    socket.shutdownHandler(v -> socket.end());
    socket.exceptionHandler(err -> LOG.debug("TCP echo to {}: {}", socket.remoteAddress(), err.toString()));
  }
}
