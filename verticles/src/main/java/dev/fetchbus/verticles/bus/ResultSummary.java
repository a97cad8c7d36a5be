package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * How the results of one stored batch ended, per host: what the fetcher's results topic carries, so listeners
 * such as the stats verticle see every result's host and outcome without reading the store. A host is the scheme
 * and authority the fetcher counts per-host limits by ({@code http://example.org}, {@code https://a.example:8443}).
 * JSON: {"id": jobId, "hosts": {host: {"ok": n, "error": n}}}.
 */
public record ResultSummary(String jobId, Map<String, Counts> hosts) {

  /** Results that ended {@code ok}, and those that ended with any other outcome. */
  public record Counts(long ok, long error) {
    public Counts plus(Counts other) {
      return new Counts(ok + other.ok, error + other.error);
    }
  }

  public JsonObject toJson() {
    JsonObject byHost = new JsonObject();
    hosts.forEach((host, counts) -> byHost.put(host, new JsonObject().put("ok", counts.ok).put("error", counts.error)));
    return new JsonObject().put("id", jobId).put("hosts", byHost);
  }

  public static ResultSummary fromJson(JsonObject json) {
    Map<String, Counts> hosts = new HashMap<>();
    JsonObject byHost = json.getJsonObject("hosts");
    for (String host : byHost.fieldNames()) {
      JsonObject counts = byHost.getJsonObject(host);
      hosts.put(host, new Counts(counts.getLong("ok", 0L), counts.getLong("error", 0L)));
    }
    return new ResultSummary(json.getString("id"), hosts);
  }

  /** Counts results as they finish, until the batch they belong to is handed over. */
  public static final class Tally {
    private Map<String, long[]> hosts = new HashMap<>();

    public void add(String host, Outcome outcome) {
      hosts.computeIfAbsent(host, h -> new long[2])[outcome == Outcome.OK ? 0 : 1]++;
    }

    public boolean isEmpty() {
      return hosts.isEmpty();
    }

    /** What was counted since the last call, and a fresh start. */
    public ResultSummary take(String jobId) {
      Map<String, Counts> counted = new HashMap<>();
      hosts.forEach((host, c) -> counted.put(host, new Counts(c[0], c[1])));
      hosts = new HashMap<>();
      return new ResultSummary(jobId, counted);
    }
  }
}
