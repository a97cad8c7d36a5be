package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.retry.Backoff;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * Which failures are worth another attempt, and how long to wait first: the {@link Backoff}, or the server's
 * Retry-After, never longer than its cap.
 */
public final class RetryPolicy {
  private static final Set<Integer> RETRIED_STATUSES = Set.of(429, 502, 503, 504);
  private static final Set<Outcome> RETRIED_OUTCOMES = Set.of(Outcome.CONNECTION_ERROR, Outcome.TIMEOUT_CONNECT,
      Outcome.TIMEOUT_RESPONSE, Outcome.TIMEOUT_IDLE, Outcome.TIMEOUT_TOTAL);

  private final Backoff backoff;
  private final long maxRetryAfterMs;

  public RetryPolicy(Backoff backoff, long maxRetryAfterMs) {
    this.backoff = backoff;
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
    return backoff.delayMs(attempt);
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
