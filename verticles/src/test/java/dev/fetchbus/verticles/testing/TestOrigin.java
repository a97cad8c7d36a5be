package dev.fetchbus.verticles.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.List;
import java.util.Queue;
import io.vertx.core.MultiMap;

/**
 * A real HTTP origin on 127.0.0.1 serving objects of known content:
 * {@code /obj/{n}} (1–8 KiB, derived from n), {@code /missing/{n}} (404 with a body),
 * {@code /slow/{n}?ms=...} (the object after a timer), {@code /seen/{n}} (the object, and the request's headers and
 * arrival kept: {@link #seen()}), {@code /to/{port}/{n}} (a 302 to {@code /seen/{n}} on 127.0.0.1:port); anything
 * else is a 400. It counts the {@code /slow} requests it holds at once, and the most it ever held
 * ({@link #mostSlowAtOnce()}): what a per-host limit bounds. {@code /held/{n}} is the object once {@link #release()}
 * has been called: until then the request waits.
 */
public final class TestOrigin {
  private final HttpServer server;
  private final AtomicInteger slowNow;
  private final AtomicInteger slowMost;
  private final Queue<Seen> seen;
  private final Held held;

  /** A request to {@code /seen/{n}}: its path, headers and arrival (System.nanoTime). */
  public record Seen(String path, MultiMap headers, long nanos) {
  }

  private TestOrigin(HttpServer server, AtomicInteger slowNow, AtomicInteger slowMost, Queue<Seen> seen, Held held) {
    this.server = server;
    this.slowNow = slowNow;
    this.slowMost = slowMost;
    this.seen = seen;
    this.held = held;
  }

  /** The {@code /held} requests, kept until released; once released, answered as they come. */
  private static final class Held {
    private final Queue<HttpServerRequest> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean released = new AtomicBoolean();

    void add(HttpServerRequest request, int n) {
      if (released.get()) {
        answer(request, n);
        return;
      }
      waiting.add(request);
      // A release between the check and the add would otherwise leave this one waiting.
      if (released.get()) {
        drain();
      }
    }

    void release() {
      released.set(true);
      drain();
    }

    int waiting() {
      return waiting.size();
    }

    private void drain() {
      for (HttpServerRequest request; (request = waiting.poll()) != null; ) {
        answer(request, Integer.parseInt(request.path().substring("/held/".length())));
      }
    }

    private static void answer(HttpServerRequest request, int n) {
      request.response().end(Buffer.buffer(object(n)));
    }
  }

  public static Future<TestOrigin> start(Vertx vertx) {
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    Held held = new Held();
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> handle(vertx, request, now, most, seen, held))
        .listen()
        .map(server -> new TestOrigin(server, now, most, seen, held));
  }

  /** The requests to {@code /seen/...} so far, in arrival order. */
  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** The {@code /held} requests waiting now (those whose client went away included). */
  public int held() {
    return held.waiting();
  }

  /** Answers every {@code /held} request, those waiting and those to come. */
  public void release() {
    held.release();
  }

  public int port() {
    return server.actualPort();
  }

  /** The most {@code /slow} requests this origin has held at once since it started or was last reset. */
  public int mostSlowAtOnce() {
    return slowMost.get();
  }

  public void resetMostSlowAtOnce() {
    slowMost.set(slowNow.get());
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  public Future<Void> close() {
    return server.close();
  }

  /** The bytes {@code /obj/{n}} serves. */
  public static byte[] object(int n) {
    byte[] bytes = new byte[1024 + Math.floorMod(n * 7919, 7 * 1024)];
    new Random(n).nextBytes(bytes);
    return bytes;
  }

  public static String missingBody(int n) {
    return "no object " + n + "\n";
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void handle(Vertx vertx, HttpServerRequest request, AtomicInteger now, AtomicInteger most,
                             Queue<Seen> seen, Held held) {
    String[] parts = request.path().split("/");
    if (parts.length == 4 && parts[1].equals("to")) {
      request.response().setStatusCode(302)
          .putHeader("location", "http://127.0.0.1:" + parts[2] + "/seen/" + parts[3]).end();
      return;
    }
    int n = parts.length == 3 && parts[2].matches("[0-9]{1,9}") ? Integer.parseInt(parts[2]) : -1;
    switch (n >= 0 ? parts[1] : "") {
      case "obj" -> request.response().end(Buffer.buffer(object(n)));
      case "seen" -> {
        seen.add(new Seen(request.path(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
            System.nanoTime()));
        request.response().end(Buffer.buffer(object(n)));
      }
      case "missing" -> request.response().setStatusCode(404).end(missingBody(n));
      case "held" -> held.add(request, n);
      case "slow" -> {
        most.accumulateAndGet(now.incrementAndGet(), Math::max);
        vertx.setTimer(Long.parseLong(request.getParam("ms", "1000")), id -> {
          now.decrementAndGet();
          request.response().end(Buffer.buffer(object(n)));
        });
      }
      default -> request.response().setStatusCode(400).end();
    }
  }
}
