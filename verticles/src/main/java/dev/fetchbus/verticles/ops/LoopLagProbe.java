package dev.fetchbus.verticles.ops;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How late one event loop runs a task that was due: the probe is fired by a timer on that loop every
 * {@code periodNanos} and records how much later than due it fired (the time the loop was busy with something
 * else). It keeps the samples of the last window. Only the loop writes; any thread may read a snapshot, so a stuck
 * loop can still be reported: its probe is overdue, and the overdue time counts as lag.
 */
public final class LoopLagProbe {
  private final int loop;
  private final long periodNanos;
  private final AtomicLongArray window;
  private int next;
  private volatile long lastNanos;
  private volatile long dueNanos;
  private volatile String thread;

  /** {@code startNanos}: when the first firing was scheduled; it is due {@code periodNanos} later. */
  public LoopLagProbe(int loop, long periodNanos, int windowSamples, long startNanos) {
    this.loop = loop;
    this.periodNanos = periodNanos;
    this.window = new AtomicLongArray(windowSamples);
    this.dueNanos = startNanos + periodNanos;
  }

  /** The timer fired at {@code nowNanos}; the next firing is scheduled {@code periodNanos} from now. */
  public void fired(long nowNanos) {
    long lag = Math.max(0, nowNanos - dueNanos);
    lastNanos = lag;
    window.set(next, lag);
    next = (next + 1) % window.length();
    dueNanos = nowNanos + periodNanos;
  }

  /** The name of the loop's thread, known once the probe runs on it. */
  public void runsOn(String threadName) {
    thread = threadName;
  }

  public long periodNanos() {
    return periodNanos;
  }

  /** The last lag, and the largest of the window, in ms; a probe overdue now counts as lagging that much. */
  public JsonObject snapshot(long nowNanos) {
    long overdue = Math.max(0, nowNanos - dueNanos);
    long max = overdue;
    for (int i = 0; i < window.length(); i++) {
      max = Math.max(max, window.get(i));
    }
    return new JsonObject()
        .put("loop", loop)
        .put("thread", thread)
        .put("lastMs", millis(Math.max(lastNanos, overdue)))
        .put("maxMs", millis(max))
        .put("windowMs", window.length() * periodNanos / 1_000_000);
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
