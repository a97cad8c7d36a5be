package dev.fetchbus.verticles.stats;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.ResultSummary;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Per-host success rates of everything fetched since start: listens to the result summaries job runs publish with
 * each stored batch ({@code fetchbus.events.results}) and answers {@code fetchbus.stats.hosts}. In memory only, for
 * at most {@code stats.maxHosts} hosts (least recently seen forgotten first).
 */
public class StatsVerticle extends VerticleBase {
  private static final int DEFAULT_LIMIT = 20;

  @Override
  public Future<?> start() {
    HostStats stats = new HostStats(config().getJsonObject("stats").getInteger("maxHosts"));
    MessageConsumer<JsonObject> results = vertx.eventBus()
        .consumer(Addresses.EVENTS_RESULTS, message -> stats.add(ResultSummary.fromJson(message.body())));
    return Future.all(results.completion(),
        Bus.consume(vertx, Addresses.STATS_HOSTS, request -> Future.succeededFuture(stats.top(limit(request)))));
  }

  private static int limit(JsonObject request) {
    int limit = request.getInteger("limit", DEFAULT_LIMIT);
    if (limit < 1) {
      throw FailureCode.BAD_INPUT.exception("limit must be at least 1, not " + limit);
    }
    return limit;
  }
}
