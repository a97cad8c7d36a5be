package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Vert.x options the configuration yields: the blocked-thread checker in normal and debug mode, metrics. */
class VertxOptionsTest {
  @Test
  void byDefaultTheCheckerUsesTheVertxSectionAndMetricsAreOn() {
    VertxOptions options = FetchbusApp.vertxOptions(ConfigLoader.load(Map.of()));
    assertThat(options.getMaxEventLoopExecuteTimeUnit().toMillis(options.getMaxEventLoopExecuteTime())).isEqualTo(2_000);
    assertThat(options.getBlockedThreadCheckIntervalUnit().toMillis(options.getBlockedThreadCheckInterval()))
        .isEqualTo(1_000);
    assertThat(options.getWarningExceptionTimeUnit().toMillis(options.getWarningExceptionTime())).isEqualTo(5_000);
    assertThat(options.getMetricsOptions()).isInstanceOf(MicrometerMetricsOptions.class);
    assertThat(options.getMetricsOptions().isEnabled()).isTrue();
  }

  @Test
  void debugModeReportsAnyTaskOverTheThresholdWithItsStackTrace() {
    VertxOptions options = FetchbusApp.vertxOptions(ConfigLoader.load(Map.of("FETCHBUS_DEBUG", "true")));
    assertThat(options.getMaxEventLoopExecuteTimeUnit().toMillis(options.getMaxEventLoopExecuteTime())).isEqualTo(100);
    assertThat(options.getBlockedThreadCheckIntervalUnit().toMillis(options.getBlockedThreadCheckInterval()))
        .isEqualTo(50);
    assertThat(options.getWarningExceptionTimeUnit().toMillis(options.getWarningExceptionTime())).isEqualTo(100);
    assertThat(options.getMaxEventLoopExecuteTimeUnit()).isEqualTo(TimeUnit.MILLISECONDS);
  }

  @Test
  void metricsCanBeTurnedOff() {
    var config = ConfigLoader.load(Map.of());
    config.getJsonObject("metrics").put("enabled", false);
    assertThat(FetchbusApp.vertxOptions(config).getMetricsOptions().isEnabled()).isFalse();
  }
}
