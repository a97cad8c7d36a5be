package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.Outcome;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which failures are worth another attempt, and how long to wait first: exponential backoff with full jitter, or
 * the server's Retry-After, never longer than the cap.
 */
public final class RetryPolicy {
  private static final Set<Integer> RETRIED_STATUSES = Set.of(429, 502, 503, 504);
  private static final Set<Outcome> RETRIED_OUTCOMES = Set.of(Outcome.CONNECTION_ERROR, Outcome.TIMEOUT_CONNECT,
      Outcome.TIMEOUT_RESPONSE, Outcome.TIMEOUT_IDLE, Outcome.TIMEOUT_TOTAL);

  private final long baseMs;
  private final long maxBackoffMs;
  private final long maxRetryAfterMs;

  public RetryPolicy(long baseMs, long maxBackoffMs, long maxRetryAfterMs) {
    this.baseMs = baseMs;
    this.maxBackoffMs = maxBackoffMs;
    this.maxRetryAfterMs = maxRetryAfterMs;
  }

  public boolean retries(Outcome outcome, Integer status) {
    return RETRIED_OUTCOMES.contains(outcome)
        || outcome == Outcome.HTTP_ERROR && status != null && RETRIED_STATUSES.contains(status);
  }

  /** The pause before attempt number {@code attempt + 1}; {@code retryAfter} is the header's text or null. */
  public long delayMs(int attempt, String retryAfter) {
    Long asked = retryAfterMs(retryAfter);
    if (asked != null) {
      return Math.min(asked, maxRetryAfterMs);
    }
    long ceiling = Math.min(maxBackoffMs, baseMs << Math.min(attempt - 1, 20));
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  /** Retry-After as delta-seconds or an HTTP-date; null when absent or unreadable. */
  static Long retryAfterMs(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit) && v.length() < 10) {
      return Long.parseLong(v) * 1000;
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
      return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
