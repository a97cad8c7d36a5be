package dev.fetchbus.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the HTTP server requests of its own before readiness turns 200, so that the first real load meets
 * compiled code and a grown heap instead of the interpreter: without it, 10,000 connections arriving on a cold
 * server time out by the hundred in the first seconds. The requests take the load-test route with and without a
 * timer, pipelined in batches over kept-alive connections, and every few batches on a fresh connection
 * (connection set-up is hot under C10K too).
 *
 * <p>The client is plain blocking sockets on threads of its own, not a Vert.x client: that leaves the event loops to
 * the server (twice the requests in the same time) and keeps the client's classes out of the profiles the JIT
 * compiles the server's Netty and Vert.x call sites from. Bounded in count and time, sent to the server's own
 * address, and it never fails the start: a warm-up that goes wrong is logged.
 */
final class HttpWarmup {
  private static final Logger LOG = LoggerFactory.getLogger(HttpWarmup.class);
  /** Requests written at once on a connection before their answers are read. */
  private static final int BATCH = 32;
  /** Batches on one connection before it is closed and a fresh one opened. */
  private static final int BATCHES_PER_CONNECTION = 10;
  private static final int SOCKET_TIMEOUT_MS = 5_000;

  private final InetSocketAddress address;
  private final long deadline;
  private final AtomicInteger budget;
  private final byte[] plain;
  private final byte[] timed;

  private HttpWarmup(String host, int port, int requests, long maxMs) {
    String target = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    this.address = new InetSocketAddress(target, port);
    this.deadline = System.nanoTime() + maxMs * 1_000_000;
    this.budget = new AtomicInteger(requests);
    String hostHeader = target.contains(":") ? "[" + target + "]" : target;
    this.plain = request("/hello/warmup", hostHeader);
    this.timed = request("/hello/warmup?delay=1ms", hostHeader);
  }

  /** {@code warmup}: {"requests", "connections", "maxMs"}; 0 requests turns it off, as does port 0. */
  static Future<Void> run(Vertx vertx, String host, int port, JsonObject warmup) {
    int requests = warmup.getInteger("requests");
    if (requests == 0 || port == 0) {
      return Future.succeededFuture();
    }
    int connections = Math.max(1, Math.min(warmup.getInteger("connections"), requests));
    HttpWarmup run = new HttpWarmup(host, port, requests, warmup.getLong("maxMs"));
    long started = System.nanoTime();
    return vertx.executeBlocking(() -> run.send(connections), false)
        .onSuccess(answered -> LOG.info("HTTP warm-up: {} requests in {} ms", answered,
            (System.nanoTime() - started) / 1_000_000))
        .onFailure(err -> LOG.warn("HTTP warm-up stopped early: {}", err.toString()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** Runs one lane per connection on threads of its own; the number of requests answered. */
  private int send(int connections) throws IOException, InterruptedException {
    ExecutorService lanes = Executors.newFixedThreadPool(connections, task -> {
      Thread thread = new Thread(task, "fetchbus-http-warmup");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<java.util.concurrent.Future<Integer>> answered = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        answered.add(lanes.submit(this::lane));
      }
      int total = 0;
      for (java.util.concurrent.Future<Integer> lane : answered) {
        total += lane.get();
      }
      return total;
    } catch (ExecutionException e) {
      // Blocking socket calls do not notice shutdownNow(): the spent budget is what stops the other lanes.
      budget.set(0);
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } finally {
      lanes.shutdownNow();
    }
  }

  private int lane() throws IOException {
    int answered = 0;
    int batch = take();
    while (batch > 0) {
      try (Socket socket = new Socket()) {
        socket.connect(address, SOCKET_TIMEOUT_MS);
        socket.setSoTimeout(SOCKET_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        OutputStream out = socket.getOutputStream();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        for (int round = 0; round < BATCHES_PER_CONNECTION && batch > 0; round++) {
          out.write(batch(batch));
          out.flush();
          for (int i = 0; i < batch; i++) {
            readResponse(in);
          }
          answered += batch;
          batch = take();
        }
      }
    }
    return answered;
  }

  /** The next batch's size: 0 once the budget is spent or the time is up. */
  private int take() {
    if (System.nanoTime() > deadline) {
      return 0;
    }
    int left = budget.getAndUpdate(n -> Math.max(0, n - BATCH));
    return Math.min(left, BATCH);
  }

  private byte[] batch(int size) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(size * timed.length);
    for (int i = 0; i < size; i++) {
      bytes.writeBytes(i % 2 == 0 ? plain : timed);
    }
    return bytes.toByteArray();
  }

  private static byte[] request(String uri, String host) {
    return ("GET " + uri + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads one response: a 200 status line, headers, and the Content-Length bytes of body. */
  private static void readResponse(InputStream in) throws IOException {
    String status = line(in);
    if (!status.startsWith("HTTP/1.1 200")) {
      throw new IOException("warm-up request answered '" + status + "'");
    }
    long length = 0;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Long.parseLong(header.substring("content-length:".length()).trim());
      }
    }
    in.skipNBytes(length);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("warm-up connection closed mid-response");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
