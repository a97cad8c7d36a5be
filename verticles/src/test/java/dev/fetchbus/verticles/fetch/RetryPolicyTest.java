package dev.fetchbus.verticles.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.retry.Backoff;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(new Backoff(100, 2_000), 5_000);

  @Test
  void retriesTransientFailuresOnly() {
    assertThat(policy.retries(Outcome.CONNECTION_ERROR, null)).isTrue();
    assertThat(policy.retries(Outcome.TIMEOUT_RESPONSE, null)).isTrue();
    assertThat(policy.retries(Outcome.TIMEOUT_CONNECT, null)).isTrue();
    for (int status : new int[] {429, 502, 503, 504}) {
      assertThat(policy.retries(Outcome.HTTP_ERROR, status)).as("%d", status).isTrue();
    }
    assertThat(policy.retries(Outcome.HTTP_ERROR, 404)).isFalse();
    assertThat(policy.retries(Outcome.HTTP_ERROR, 500)).isFalse();
    assertThat(policy.retries(Outcome.DNS_ERROR, null)).isFalse();
    assertThat(policy.retries(Outcome.REFUSED_ADDRESS, null)).isFalse();
    assertThat(policy.retries(Outcome.TOO_LARGE, 200)).isFalse();
    assertThat(policy.retries(Outcome.OK, 200)).isFalse();
  }

  @Test
  void backoffIsFullJitterUnderAGrowingCeiling() {
    for (int i = 0; i < 200; i++) {
      assertThat(policy.delayMs(1, null)).isBetween(0L, 100L);
      assertThat(policy.delayMs(3, null)).isBetween(0L, 400L);
      assertThat(policy.delayMs(30, null)).isBetween(0L, 2_000L);
    }
  }

  @Test
  void retryAfterIsHonouredUpToTheCap() {
    assertThat(policy.delayMs(1, "2")).isEqualTo(2_000);
    assertThat(policy.delayMs(1, "3600")).isEqualTo(5_000);
    String inThreeSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(3));
    assertThat(policy.delayMs(1, inThreeSeconds)).isBetween(1_000L, 3_000L);
    assertThat(RetryPolicy.retryAfterMs("soon")).isNull();
    assertThat(RetryPolicy.retryAfterMs(null)).isNull();
  }
}
