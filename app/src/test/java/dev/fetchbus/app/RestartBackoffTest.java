package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {
  private final RestartBackoff backoff = RestartBackoff.of(ConfigLoader.resource("conf/config.json")
      .getJsonObject("pg").getJsonObject("embedded").getJsonObject("restart"));

  @Test
  void theDelayDoublesPerAttemptUpToTheCap() {
    assertThat(IntStream.rangeClosed(1, 8).mapToLong(backoff::delayMs).boxed().toList())
        .containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L, 30_000L);
    assertThat(backoff.delayMs(Integer.MAX_VALUE)).isEqualTo(30_000);
  }

  @Test
  void aServerThatStayedUpLongEnoughStartsOverAtTheFirstAttempt() {
    assertThat(backoff.nextAttempt(0, 10)).isEqualTo(1);
    assertThat(backoff.nextAttempt(3, 59_999)).isEqualTo(4);
    assertThat(backoff.nextAttempt(3, 60_000)).isEqualTo(1);
  }

  @Test
  void nonsenseIsRefused() {
    assertThatThrownBy(() -> RestartBackoff.of(new JsonObject().put("initialDelayMs", 0).put("maxDelayMs", 10)
        .put("stableAfterMs", 0))).hasMessageContaining("initialDelayMs");
    assertThatThrownBy(() -> new RestartBackoff(1_000, 500, 0)).hasMessageContaining("maxDelayMs");
  }
}
