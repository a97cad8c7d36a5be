package dev.fetchbus.verticles.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * An origin on 127.0.0.1 that misbehaves on purpose, written on raw TCP so it can do what HTTP servers won't:
 * answer late or never, trickle, reset mid-body, redirect in loops, stream without end, speak HTTP/1.0, or not
 * speak HTTP at all (the {@code /garbage} path). It counts connections, so tests can check limits and aborts.
 * Every response closes its connection.
 */
public final class MisbehavingOrigin {
  /** The plain body behind {@code /gzip} and {@code /deflate}, and the body of most other answers. */
  public static final byte[] PLAIN = "Fetchbus test body. ".repeat(500).getBytes(StandardCharsets.US_ASCII);

  private final Vertx vertx;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger serving = new AtomicInteger();
  private final AtomicInteger maxServing = new AtomicInteger();
  private final AtomicLong lastClosedNanos = new AtomicLong();
  private final AtomicLong endlessBytes = new AtomicLong();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private NetServer server;

  private MisbehavingOrigin(Vertx vertx) {
    this.vertx = vertx;
  }

  public static Future<MisbehavingOrigin> start(Vertx vertx) {
    MisbehavingOrigin origin = new MisbehavingOrigin(vertx);
    origin.server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0));
    return origin.server.connectHandler(origin::accept).listen().map(origin);
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  public int openConnections() {
    return open.get();
  }

  /**
   * The most {@code /hold} requests that were being served at once: connections in use, not counting one the
   * client is done with whose close has not reached the server yet.
   */
  public int maxConcurrentRequests() {
    return maxServing.get();
  }

  public long lastClosedNanos() {
    return lastClosedNanos.get();
  }

  public long endlessBytesSent() {
    return endlessBytes.get();
  }

  public int hits(String path) {
    return hits.getOrDefault(path, new AtomicInteger()).get();
  }

  public Future<Void> close() {
    return server.close();
  }

  private void accept(NetSocket socket) {
    open.incrementAndGet();
    socket.closeHandler(v -> {
      open.decrementAndGet();
      lastClosedNanos.set(System.nanoTime());
    });
    Buffer head = Buffer.buffer();
    boolean[] answered = {false};
    socket.handler(data -> {
      if (answered[0]) {
        return;
      }
      head.appendBuffer(data);
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (text.contains("\r\n\r\n")) {
        answered[0] = true;
        String path = text.substring(text.indexOf(' ') + 1, text.indexOf(' ', text.indexOf(' ') + 1));
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        respond(socket, path);
      }
    });
  }

  private void respond(NetSocket socket, String path) {
    String route = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    long ms = path.contains("ms=") ? Long.parseLong(path.substring(path.indexOf("ms=") + 3)) : 0;
    switch (route.replaceAll("/\\d+$", "/{n}")) {
      case "/ok/{n}", "/ok" -> ok(socket, PLAIN);
      case "/hold/{n}" -> {
        maxServing.accumulateAndGet(serving.incrementAndGet(), Math::max);
        vertx.setTimer(Math.max(1, ms), t -> {
          serving.decrementAndGet();
          ok(socket, PLAIN);
        });
      }
      case "/slow" -> vertx.setTimer(Math.max(1, ms), t -> ok(socket, PLAIN));
      case "/silent" -> { }
      case "/trickle" -> {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n");
        vertx.setPeriodic(1_000, id -> {
          if (socket.writeQueueFull()) {
            return;
          }
          socket.write("x").onFailure(err -> vertx.cancelTimer(id));
        });
      }
      case "/reset" -> {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n");
        socket.write(Buffer.buffer(new byte[1000])).onComplete(v -> socket.close());
      }
      case "/retry-after/{n}" -> {
        if (hits(path) == 1) {
          raw(socket, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        } else {
          ok(socket, PLAIN);
        }
      }
      case "/too-many" -> raw(socket, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      case "/loop" -> raw(socket, "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      case "/to-metadata" -> raw(socket, "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/\r\n"
          + "Content-Length: 0\r\nConnection: close\r\n\r\n");
      case "/to-ok" -> raw(socket, "HTTP/1.1 301 Moved Permanently\r\nLocation: /ok\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      case "/endless" -> {
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n");
        pour(socket, Buffer.buffer(new byte[64 * 1024]));
      }
      case "/gzip" -> {
        byte[] gz = gzip(PLAIN);
        socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + gz.length
            + "\r\nConnection: close\r\n\r\n").appendBytes(gz)).onComplete(v -> socket.close());
      }
      case "/chunked" -> {
        Buffer out = Buffer.buffer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        for (int i = 0; i < PLAIN.length; i += 1000) {
          int n = Math.min(1000, PLAIN.length - i);
          out.appendString(Integer.toHexString(n) + "\r\n").appendBytes(PLAIN, i, n).appendString("\r\n");
        }
        socket.write(out.appendString("0\r\n\r\n")).onComplete(v -> socket.close());
      }
      case "/http10" -> socket.write(Buffer.buffer("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n").appendBytes(PLAIN))
          .onComplete(v -> socket.close());
      case "/garbage" -> socket.write("SSH-2.0-OpenSSH_9.2\r\nProtocol mismatch.\r\n").onComplete(v -> socket.close());
      default -> raw(socket, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
  }

  private void pour(NetSocket socket, Buffer chunk) {
    while (!socket.writeQueueFull()) {
      endlessBytes.addAndGet(chunk.length());
      socket.write(chunk).onFailure(err -> socket.close());
      if (endlessBytes.get() > (1L << 33)) {
        socket.close();
        return;
      }
    }
    socket.drainHandler(v -> pour(socket, chunk));
  }

  private static void ok(NetSocket socket, byte[] body) {
    socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
        .appendBytes(body)).onComplete(v -> socket.close());
  }

  private static void raw(NetSocket socket, String response) {
    socket.write(response).onComplete(v -> socket.close());
  }

  public static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }
}
