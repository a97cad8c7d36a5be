package dev.fetchbus.verticles.retry;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: after failed attempt n, a wait drawn uniformly from 0 to
 * {@code baseMs} × 2<sup>n−1</sup>, at most {@code maxMs}. Full jitter spreads the retries of many failures that
 * happened together, so they do not come back together. Configured as {@code {"baseMs": …, "maxMs": …}} wherever
 * something is retried (a fetch, an outbox task).
 */
public record Backoff(long baseMs, long maxMs) {
  public Backoff {
    if (baseMs < 1 || maxMs < baseMs) {
      throw new IllegalArgumentException("backoff needs 1 <= baseMs <= maxMs, got baseMs " + baseMs + ", maxMs " + maxMs);
    }
  }

  /** From a {@code {"baseMs", "maxMs"}} section of the configuration; a bad pair stops the start. */
  public static Backoff of(JsonObject config) {
    return new Backoff(config.getLong("baseMs"), config.getLong("maxMs"));
  }

  /** The longest wait after failed attempt {@code attempt} (1 for the first). */
  public long ceilingMs(int attempt) {
    return Math.min(maxMs, baseMs << Math.min(Math.max(attempt, 1) - 1, 20));
  }

  /** A wait after failed attempt {@code attempt}: from 0 to {@link #ceilingMs}, uniformly. */
  public long delayMs(int attempt) {
    return ThreadLocalRandom.current().nextLong(ceilingMs(attempt) + 1);
  }
}
