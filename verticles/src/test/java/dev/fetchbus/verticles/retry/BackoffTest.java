package dev.fetchbus.verticles.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = Backoff.of(new JsonObject().put("baseMs", 100).put("maxMs", 1_000));

  @Test
  void theCeilingDoublesFromTheBaseUpToTheMaximum() {
    assertThat(backoff.ceilingMs(1)).isEqualTo(100);
    assertThat(backoff.ceilingMs(2)).isEqualTo(200);
    assertThat(backoff.ceilingMs(4)).isEqualTo(800);
    assertThat(backoff.ceilingMs(5)).isEqualTo(1_000);
    assertThat(backoff.ceilingMs(500)).isEqualTo(1_000);
  }

  @Test
  void delaysAreDrawnFromZeroToTheCeilingAndSpreadOverIt() {
    long smallest = Long.MAX_VALUE;
    long largest = 0;
    for (int i = 0; i < 2_000; i++) {
      long delay = backoff.delayMs(3);
      assertThat(delay).isBetween(0L, 400L);
      smallest = Math.min(smallest, delay);
      largest = Math.max(largest, delay);
    }
    // Full jitter: 2,000 draws from 0..400 reach both ends' neighbourhoods.
    assertThat(smallest).isLessThan(40);
    assertThat(largest).isGreaterThan(360);
  }

  @Test
  void aBaseAboveTheMaximumOrBelowOneIsRefused() {
    assertThatThrownBy(() -> new Backoff(0, 100)).hasMessageContaining("baseMs");
    assertThatThrownBy(() -> new Backoff(500, 100)).hasMessageContaining("maxMs");
  }
}
