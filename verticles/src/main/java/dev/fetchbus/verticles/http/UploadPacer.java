package dev.fetchbus.verticles.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Lets uploads yield to the other requests of their event loop. An upload's work (receiving, digesting, writing)
 * is time the loop's other requests do not get: while the loop is busy serving them (at least
 * {@code busyRequestsPerSecond} requests in the last tenth of a second), its uploads together may take at most
 * {@code busyBytesPerSecond}, and an upload that has had its share waits for the next tenth (TCP flow control slows
 * its client meanwhile). On a loop with little else to do, uploads run at the disk's pace. One per HTTP verticle
 * instance, so per event loop, and used only from that loop.
 */
final class UploadPacer {
  private static final long WINDOW_MS = 100;
  private static final long WINDOWS_PER_SECOND = 1_000 / WINDOW_MS;

  private final long busyRequests;
  private final long busyBytes;
  private final List<Handler<Void>> waiting = new ArrayList<>();
  private long requests;
  private long bytes;
  private boolean busy;
  private long timer = -1;

  /** {@code yield}: {"busyRequestsPerSecond", "busyBytesPerSecond"}; 0 requests per second turns pacing off. */
  UploadPacer(JsonObject yield) {
    this.busyRequests = yield.getLong("busyRequestsPerSecond") / WINDOWS_PER_SECOND;
    this.busyBytes = Math.max(1, yield.getLong("busyBytesPerSecond") / WINDOWS_PER_SECOND);
  }

  void start(Vertx vertx) {
    if (busyRequests > 0) {
      timer = vertx.setPeriodic(WINDOW_MS, id -> nextWindow());
    }
  }

  void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Every request counts towards the loop being busy (an upload is one request, however long). */
  void request() {
    requests++;
  }

  void took(long n) {
    bytes += n;
  }

  boolean exhausted() {
    return busy && bytes >= busyBytes;
  }

  /** Runs the handler once the uploads may take more: at the next window. */
  void whenRefilled(Handler<Void> handler) {
    waiting.add(handler);
  }

  /** Called every window by the timer; package-private for tests. */
  void nextWindow() {
    busy = busyRequests > 0 && requests >= busyRequests;
    requests = 0;
    bytes = 0;
    if (!waiting.isEmpty()) {
      List<Handler<Void>> ready = List.copyOf(waiting);
      waiting.clear();
      ready.forEach(handler -> handler.handle(null));
    }
  }
}
