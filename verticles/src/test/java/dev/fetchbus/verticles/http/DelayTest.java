package dev.fetchbus.verticles.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DelayTest {
  @Test
  void readsMillisecondsSecondsAndBareNumbers() {
    assertThat(Delay.parseMillis(null, 10_000)).isZero();
    assertThat(Delay.parseMillis("100ms", 10_000)).isEqualTo(100);
    assertThat(Delay.parseMillis("2s", 10_000)).isEqualTo(2_000);
    assertThat(Delay.parseMillis("250", 10_000)).isEqualTo(250);
    assertThat(Delay.parseMillis("10s", 10_000)).isEqualTo(10_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"11s", "10001ms", "-1ms", "abc", "ms", "1.5s", "1m", "99999999999999ms", " 1ms"})
  void refusesWhatIsMalformedOrOverTheMaximum(String text) {
    assertThatThrownBy(() -> Delay.parseMillis(text, 10_000))
        .isInstanceOfSatisfying(Problem.Refused.class, e -> assertThat(e.problem.status()).isEqualTo(400));
  }
}
