package dev.fetchbus.app;

import io.vertx.core.json.JsonObject;

/**
 * When to restart a server that died: attempt n waits {@code initialDelayMs} × 2<sup>n−1</sup>, at most
 * {@code maxDelayMs}. A server that had stayed up for {@code stableAfterMs} before it died starts again at attempt 1.
 */
record RestartBackoff(long initialDelayMs, long maxDelayMs, long stableAfterMs) {
  RestartBackoff {
    if (initialDelayMs <= 0 || maxDelayMs < initialDelayMs || stableAfterMs < 0) {
      throw new IllegalArgumentException("restart back-off needs 0 < initialDelayMs <= maxDelayMs and "
          + "stableAfterMs >= 0, not " + initialDelayMs + ", " + maxDelayMs + ", " + stableAfterMs);
    }
  }

  /** From the {@code pg.embedded.restart} config. */
  static RestartBackoff of(JsonObject config) {
    return new RestartBackoff(config.getLong("initialDelayMs"), config.getLong("maxDelayMs"),
        config.getLong("stableAfterMs"));
  }

  /** The delay before attempt {@code attempt} (1 for the first restart). */
  long delayMs(int attempt) {
    long delay = initialDelayMs;
    for (int n = 1; n < attempt && delay < maxDelayMs; n++) {
      delay = Math.min(maxDelayMs, delay * 2);
    }
    return delay;
  }

  /** The attempt number of the restart after a server that ran {@code upMs} died; {@code previous}: the last one. */
  int nextAttempt(int previous, long upMs) {
    return upMs >= stableAfterMs ? 1 : previous + 1;
  }
}
