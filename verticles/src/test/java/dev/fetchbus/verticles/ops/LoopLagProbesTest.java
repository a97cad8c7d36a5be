package dev.fetchbus.verticles.ops;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Probes on the real event loops of a Vert.x: one per loop, each naming its thread and seeing a busy loop. */
class LoopLagProbesTest {
  @Test
  void everyEventLoopIsProbedAndABusyOneShowsItsLag() {
    Vertx vertx = Vertx.vertx(StrictVertx.options().setEventLoopPoolSize(3));
    try {
      LoopLagProbes probes = LoopLagProbes.of(vertx, 20, 2_000);
      assertThat(LoopLagProbes.of(vertx, 20, 2_000)).isSameAs(probes);
      await(StrictVertx.eventually(vertx, Duration.ofSeconds(5), 20, () -> Future.succeededFuture(
          probes.snapshot().stream().allMatch(loop -> ((JsonObject) loop).getString("thread") != null))));
      JsonArray loops = probes.snapshot();
      assertThat(loops).hasSize(3);
      assertThat(loops.stream().map(l -> ((JsonObject) l).getString("thread")).distinct())
          .hasSize(3).allSatisfy(thread -> assertThat(thread).startsWith("vert.x-eventloop-thread-"));

      // Keep one loop busy for 120 ms (under the strict checker's 250 ms): its probe fires that much late.
      io.vertx.core.Promise<String> busy = io.vertx.core.Promise.promise();
      vertx.runOnContext(x -> {
        long until = System.nanoTime() + Duration.ofMillis(120).toNanos();
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }
        busy.complete(Thread.currentThread().getName());
      });
      String busyThread = await(busy.future());
      await(StrictVertx.eventually(vertx, Duration.ofSeconds(5), 20, () -> Future.succeededFuture(
          probes.snapshot().stream().map(l -> (JsonObject) l)
              .anyMatch(l -> l.getString("thread").equals(busyThread) && l.getDouble("maxMs") >= 80))));
    } finally {
      await(vertx.close());
    }
  }
}
