package dev.fetchbus.verticles.fetch;

import java.util.LinkedHashSet;
import java.util.Set;

/** The fetcher-wide cap on requests in flight, shared by all job runs of one verticle instance (one event loop). */
final class InFlightLimiter {
  private final int max;
  private final Set<Runnable> waiting = new LinkedHashSet<>();
  private int used;

  InFlightLimiter(int max) {
    this.max = max;
  }

  /** Takes a slot, or remembers {@code onFree} to run when one is released. */
  boolean tryAcquire(Runnable onFree) {
    if (used < max) {
      used++;
      return true;
    }
    waiting.add(onFree);
    return false;
  }

  void release() {
    used--;
    if (!waiting.isEmpty()) {
      Runnable next = waiting.iterator().next();
      waiting.remove(next);
      next.run();
    }
  }

  int used() {
    return used;
  }

  int max() {
    return max;
  }

  /** Runs waiting for a slot. */
  int waiting() {
    return waiting.size();
  }

  void forget(Runnable onFree) {
    waiting.remove(onFree);
  }
}
