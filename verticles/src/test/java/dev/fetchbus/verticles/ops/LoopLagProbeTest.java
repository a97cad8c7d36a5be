package dev.fetchbus.verticles.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The probe's arithmetic on a clock the test controls. */
class LoopLagProbeTest {
  private static final long MS = 1_000_000;
  private static final long PERIOD = 100 * MS;

  @Test
  void recordsHowLateEachFiringWas() {
    LoopLagProbe probe = new LoopLagProbe(0, PERIOD, 5, 0);
    probe.fired(100 * MS);            // on time
    probe.fired(200 * MS + 30 * MS);  // 30 ms late
    probe.fired(330 * MS + 2 * MS);   // 2 ms late
    JsonObject now = probe.snapshot(340 * MS);
    assertThat(now.getDouble("lastMs")).isEqualTo(2.0);
    assertThat(now.getDouble("maxMs")).isEqualTo(30.0);
    assertThat(now.getLong("windowMs")).isEqualTo(500);
    assertThat(now.getInteger("loop")).isZero();
  }

  @Test
  void aTimerThatFiresEarlyCountsAsNoLag() {
    LoopLagProbe probe = new LoopLagProbe(1, PERIOD, 5, 0);
    probe.fired(99 * MS);
    assertThat(probe.snapshot(100 * MS).getDouble("lastMs")).isZero();
  }

  @Test
  void theMaxOnlyCoversTheWindow() {
    LoopLagProbe probe = new LoopLagProbe(0, PERIOD, 3, 0);
    long now = 0;
    now += PERIOD + 50 * MS;
    probe.fired(now);
    for (int i = 0; i < 2; i++) {
      now += PERIOD + MS;
      probe.fired(now);
    }
    assertThat(probe.snapshot(now).getDouble("maxMs")).isEqualTo(50.0);
    now += PERIOD + MS;
    probe.fired(now);
    assertThat(probe.snapshot(now).getDouble("maxMs")).isEqualTo(1.0);
  }

  @Test
  void aLoopThatHasNotRunItsProbeIsReportedAsLaggingByTheOverdueTime() {
    LoopLagProbe probe = new LoopLagProbe(0, PERIOD, 5, 0);
    probe.fired(100 * MS);
    // Due at 200 ms; at 1.5 s the loop has still not run it: stuck for 1.3 s so far.
    JsonObject stuck = probe.snapshot(1_500 * MS);
    assertThat(stuck.getDouble("lastMs")).isEqualTo(1_300.0);
    assertThat(stuck.getDouble("maxMs")).isEqualTo(1_300.0);
  }

  @Test
  void fractionsOfAMillisecondAreKept() {
    LoopLagProbe probe = new LoopLagProbe(0, PERIOD, 5, 0);
    probe.fired(100 * MS + 250_000);
    assertThat(probe.snapshot(100 * MS + 250_000).getDouble("lastMs")).isEqualTo(0.25);
  }
}
