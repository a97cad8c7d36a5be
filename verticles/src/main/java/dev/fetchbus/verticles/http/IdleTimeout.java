package dev.fetchbus.verticles.http;

import io.vertx.core.Vertx;

/**
 * Runs an action once nothing has touched it for a while. A touch only moves the deadline; the one timer, when it
 * fires early, sleeps again for what is left, so touching on every frame costs no timer churn.
 */
final class IdleTimeout {
  private final Vertx vertx;
  private final long timeoutMs;
  private final Runnable onIdle;
  private long deadline;
  private long timer = -1;
  private boolean cancelled;

  IdleTimeout(Vertx vertx, long timeoutMs, Runnable onIdle) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.onIdle = onIdle;
  }

  /** Something happened: the quiet period starts again now. */
  void touch() {
    if (cancelled) {
      return;
    }
    deadline = System.nanoTime() + timeoutMs * 1_000_000;
    if (timer < 0) {
      arm(timeoutMs);
    }
  }

  void cancel() {
    cancelled = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void arm(long ms) {
    timer = vertx.setTimer(Math.max(1, ms), id -> {
      long leftMs = (deadline - System.nanoTime()) / 1_000_000;
      if (leftMs > 0) {
        arm(leftMs);
        return;
      }
      timer = -1;
      cancelled = true;
      onIdle.run();
    });
  }
}
