package dev.fetchbus.verticles.stats.api;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.Codec;
import dev.fetchbus.verticles.bus.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The stats verticle's contract: per-host success rates of everything fetched, from the fetcher's result counts. */
public interface StatsApi {
  /**
   * The {@code limit} (default 20) hosts seen most, with their success rates: {"hosts": [{"host", "ok", "error",
   * "successRate"}], "tracked", "maxHosts"}. BAD_INPUT for a limit below 1.
   */
  Endpoint<Integer, JsonObject> HOSTS = Endpoint.of("fetchbus.stats.hosts", Codec.field("limit", Integer.class),
      Codec.DOCUMENT);


  /** {@code limit} null: the default. */
  Future<JsonObject> hosts(Integer limit);

  static List<Endpoint.Binding> bindings(StatsApi stats) {
    return List.of(HOSTS.bind(stats::hosts));
  }

  static StatsApi client(Bus bus) {
    return limit -> HOSTS.ask(bus, limit);
  }
}
