package dev.fetchbus.app;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** What a one-shot fetch ends with: results by outcome and the slowest hosts, from the stored results. */
final class RunSummary {
  private static final int SLOWEST = 5;

  private final Map<String, Integer> outcomes = new TreeMap<>();
  private final Map<String, long[]> hosts = new HashMap<>();

  void add(JsonObject result) {
    outcomes.merge(result.getString("outcome"), 1, Integer::sum);
    long[] host = hosts.computeIfAbsent(host(result.getString("url")), h -> new long[2]);
    host[0]++;
    host[1] += result.getLong("durationMs");
  }

  /** Every URL has a result and every result is {@code ok}. */
  boolean allOk(int total) {
    return outcomes.getOrDefault("ok", 0) == total;
  }

  void print(PrintStream out, JsonObject job, double seconds) {
    int completed = job.getInteger("completed");
    out.printf("job %s %s: %d of %d URLs in %.1f s (%.0f/s)%n", job.getString("id"), job.getString("status"),
        completed, job.getInteger("total"), seconds, completed / Math.max(seconds, 1e-3));
    out.println("outcome          URLs");
    outcomes.forEach((outcome, n) -> out.printf("%-16s %d%n", outcome, n));
    out.println("slowest hosts    mean ms  URLs");
    hosts.entrySet().stream()
        .sorted(Comparator.comparingDouble((Map.Entry<String, long[]> e) -> -mean(e.getValue())))
        .limit(SLOWEST)
        .forEach(e -> out.printf("%-16s %7.0f  %d%n", e.getKey(), mean(e.getValue()), e.getValue()[0]));
  }

  private static double mean(long[] host) {
    return host[0] == 0 ? 0 : (double) host[1] / host[0];
  }

  private static String host(String url) {
    try {
      URI uri = URI.create(url);
      return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    } catch (IllegalArgumentException e) {
      return "?";
    }
  }
}
