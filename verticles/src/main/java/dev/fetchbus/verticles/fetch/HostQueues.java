package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.UrlRef;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The URLs a run holds and has not started, a queue per host (as {@link JobRun#hostOf} names it), the hosts taking
 * turns. Choosing the next URL costs a look at each host with URLs waiting, not at each URL: with one queue, a host
 * at its per-host limit made every pump walk all of that host's URLs (a chunk of 500 behind each completion).
 */
final class HostQueues {
  private final Map<String, ArrayDeque<UrlRef>> byHost = new HashMap<>();
  /** Hosts with URLs waiting, in turn order. */
  private final ArrayDeque<String> turns = new ArrayDeque<>();
  private int size;

  void add(UrlRef url, String host) {
    ArrayDeque<UrlRef> waiting = byHost.get(host);
    if (waiting == null) {
      waiting = new ArrayDeque<>();
      byHost.put(host, waiting);
      turns.add(host);
    }
    waiting.add(url);
    size++;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Hosts with URLs waiting: how many turns one full round takes. */
  int hosts() {
    return turns.size();
  }

  /** The host whose turn it is; {@link #endTurn} must follow. */
  String nextHost() {
    return turns.peekFirst();
  }

  /** The host whose turn it is has URLs left. */
  boolean turnHasWaiting() {
    return !byHost.get(turns.peekFirst()).isEmpty();
  }

  /** Takes the next URL of the host whose turn it is (in the order they were added). */
  UrlRef take() {
    size--;
    return byHost.get(turns.peekFirst()).poll();
  }

  /** Ends the current host's turn: it goes to the back, or away once it has nothing waiting. */
  void endTurn() {
    String host = turns.pollFirst();
    if (byHost.get(host).isEmpty()) {
      byHost.remove(host);
    } else {
      turns.addLast(host);
    }
  }
}
