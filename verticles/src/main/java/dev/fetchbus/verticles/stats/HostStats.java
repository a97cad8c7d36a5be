package dev.fetchbus.verticles.stats;

import dev.fetchbus.verticles.bus.ResultSummary;
import dev.fetchbus.verticles.bus.ResultSummary.Counts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Results per host since start, for at most {@code maxHosts} hosts: when a new host would be one too many, the host
 * that has gone longest without a result is forgotten, so memory stays bounded however many hosts jobs touch.
 */
final class HostStats {
  private final int maxHosts;
  private final LinkedHashMap<String, Counts> hosts;

  HostStats(int maxHosts) {
    if (maxHosts < 1) {
      throw new IllegalArgumentException("stats.maxHosts must be at least 1, not " + maxHosts);
    }
    this.maxHosts = maxHosts;
    // Access order: every add moves its host to the young end; the eldest is the least recently seen.
    this.hosts = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Counts> eldest) {
        return size() > HostStats.this.maxHosts;
      }
    };
  }

  void add(ResultSummary summary) {
    summary.hosts().forEach((host, counts) -> hosts.merge(host, counts, Counts::plus));
  }

  /**
   * The {@code limit} hosts with the most results (ties by name), each with its counts and success rate (ok / all),
   * and how many hosts are tracked.
   */
  JsonObject top(int limit) {
    JsonArray top = new JsonArray();
    hosts.entrySet().stream()
        .sorted(Comparator.<Map.Entry<String, Counts>>comparingLong(e -> -(e.getValue().ok() + e.getValue().error()))
            .thenComparing(Map.Entry::getKey))
        .limit(limit)
        .forEach(e -> {
          long ok = e.getValue().ok();
          long total = ok + e.getValue().error();
          top.add(new JsonObject().put("host", e.getKey()).put("ok", ok).put("error", e.getValue().error())
              .put("total", total).put("successRate", total == 0 ? 0.0 : (double) ok / total));
        });
    return new JsonObject().put("hosts", top).put("tracked", hosts.size()).put("maxHosts", maxHosts);
  }
}
