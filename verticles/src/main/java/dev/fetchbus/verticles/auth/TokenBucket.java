package dev.fetchbus.verticles.auth;

import io.vertx.core.shareddata.Shareable;

/**
 * A token bucket: {@code capacity} requests at once, refilled at {@code refillPerSecond}. Shareable and
 * synchronized, so the HTTP verticle's instances (one per event loop) draw on one bucket per token.
 */
public final class TokenBucket implements Shareable {
  private final double capacity;
  private final double refillPerNano;
  private double tokens;
  private long last;

  public TokenBucket(double capacity, double refillPerSecond, long nowNanos) {
    this.capacity = capacity;
    this.refillPerNano = refillPerSecond / 1e9;
    this.tokens = capacity;
    this.last = nowNanos;
  }

  /** Takes one token: 0 when granted, else the milliseconds until one is available. */
  public synchronized long take(long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - last) * refillPerNano);
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / refillPerNano / 1e6));
  }
}
