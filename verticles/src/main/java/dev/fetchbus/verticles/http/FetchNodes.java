package dev.fetchbus.verticles.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last snapshot each fetch node published ({@code fetchbus.fetch.nodes}), for the monitor: every node, by name,
 * with the age of what it said. A node silent for longer than {@code maxAgeMs} is taken as gone and dropped.
 */
final class FetchNodes {
  private final long maxAgeMs;
  private final Map<String, Seen> nodes = new TreeMap<>();

  FetchNodes(long maxAgeMs) {
    this.maxAgeMs = maxAgeMs;
  }

  void heard(JsonObject snapshot, long nowMs) {
    nodes.put(snapshot.getString("node"), new Seen(snapshot, nowMs));
  }

  /** Each node heard from within {@code maxAgeMs}, by name, with {"ageMs"} added. */
  JsonArray toJson(long nowMs) {
    nodes.values().removeIf(seen -> nowMs - seen.atMs > maxAgeMs);
    JsonArray all = new JsonArray();
    nodes.values().forEach(seen -> all.add(seen.snapshot.copy().put("ageMs", nowMs - seen.atMs)));
    return all;
  }

  private record Seen(JsonObject snapshot, long atMs) {
  }
}
