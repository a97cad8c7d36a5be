package dev.fetchbus.verticles.ops;

import org.slf4j.Logger;

/**
 * Warnings about one thing that may fail many times in a row (a job's full mirror volume, a callback that keeps
 * failing): the first is logged at once, later ones at most once per interval, with how many were held back.
 * Not thread-safe: use it from one context.
 */
public final class ThrottledLog {
  private final Logger log;
  private final long intervalNanos;
  private long lastAt;
  private boolean logged;
  private int heldBack;

  public ThrottledLog(Logger log, long intervalMs) {
    this.log = log;
    this.intervalNanos = intervalMs * 1_000_000;
  }

  public void warn(String message) {
    long now = System.nanoTime();
    if (logged && now - lastAt < intervalNanos) {
      heldBack++;
      return;
    }
    if (heldBack > 0) {
      log.warn("{} ({} more like it since the last line)", message, heldBack);
    } else {
      log.warn(message);
    }
    logged = true;
    lastAt = now;
    heldBack = 0;
  }
}
