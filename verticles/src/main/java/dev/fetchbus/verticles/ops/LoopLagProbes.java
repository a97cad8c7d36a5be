package dev.fetchbus.verticles.ops;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@link LoopLagProbe} per event loop of a Vert.x instance, started once, on first use, and running until the
 * loops stop. The probes are Netty tasks scheduled on each loop itself: Vert.x's public API gives no way to put a
 * timer on a chosen event loop, and a probe must sit on every loop, not only those that host a verticle.
 */
public final class LoopLagProbes implements Shareable {
  private static final String MAP = "fetchbus.monitor";
  private static final String KEY = "loopLagProbes";

  private final List<LoopLagProbe> probes;

  private LoopLagProbes(List<LoopLagProbe> probes) {
    this.probes = probes;
  }

  /** The probes of this Vert.x instance; the first call (from any verticle) starts them. */
  public static LoopLagProbes of(Vertx vertx, long periodMs, long windowMs) {
    LocalMap<String, LoopLagProbes> map = vertx.sharedData().getLocalMap(MAP);
    LoopLagProbes existing = map.get(KEY);
    if (existing != null) {
      return existing;
    }
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) vertx).nettyEventLoopGroup().forEach(loops::add);
    long periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMs);
    int samples = (int) Math.max(1, windowMs / periodMs);
    List<LoopLagProbe> probes = new ArrayList<>();
    for (int i = 0; i < loops.size(); i++) {
      probes.add(new LoopLagProbe(i, periodNanos, samples, System.nanoTime()));
    }
    LoopLagProbes candidate = new LoopLagProbes(List.copyOf(probes));
    LoopLagProbes winner = map.putIfAbsent(KEY, candidate);
    if (winner != null) {
      return winner;
    }
    for (int i = 0; i < loops.size(); i++) {
      LoopLagProbe probe = probes.get(i);
      loops.get(i).execute(() -> probe.runsOn(Thread.currentThread().getName()));
      schedule(loops.get(i), probe);
    }
    return candidate;
  }

  private static void schedule(EventExecutor loop, LoopLagProbe probe) {
    loop.schedule(() -> {
      probe.fired(System.nanoTime());
      if (!loop.isShuttingDown()) {
        schedule(loop, probe);
      }
    }, probe.periodNanos(), TimeUnit.NANOSECONDS);
  }

  /** One entry per event loop: {"loop", "thread", "lastMs", "maxMs", "windowMs"}. */
  public JsonArray snapshot() {
    long now = System.nanoTime();
    JsonArray loops = new JsonArray();
    probes.forEach(probe -> loops.add(probe.snapshot(now)));
    return loops;
  }
}
