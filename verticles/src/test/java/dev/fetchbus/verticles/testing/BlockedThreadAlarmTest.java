package dev.fetchbus.verticles.testing;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alarm that makes every other test strict must itself go off. */
class BlockedThreadAlarmTest {
  @Test
  void aBusyEventLoopIsReported() {
    Vertx vertx = StrictVertx.create();
    try {
      io.vertx.core.Promise<Void> blocked = io.vertx.core.Promise.promise();
      vertx.runOnContext(v -> {
        long until = System.nanoTime() + Duration.ofMillis(3 * StrictVertx.MAX_EVENT_LOOP_MS).toNanos();
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }
        blocked.complete();
      });
      await(blocked.future());
    } finally {
      await(vertx.close());
    }
    // Drained once Vert.x is closed: the checker may log its last sample of the block just after the block ended.
    List<String> warnings = BlockedThreadAlarm.drain();
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("has been blocked"));
  }
}
