package dev.fetchbus.verticles.stats;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.stats.api.StatsApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * Per-host success rates of everything fetched since start: listens to the result summaries job runs publish with
 * each stored batch ({@code fetchbus.events.results}) and answers {@code fetchbus.stats.hosts}. In memory only, for
 * at most {@code stats.maxHosts} hosts (least recently seen forgotten first).
 */
public class StatsVerticle extends VerticleBase implements StatsApi {
  private static final int DEFAULT_LIMIT = 20;

  private HostStats stats;

  @Override
  public Future<?> start() {
    stats = new HostStats(config().getJsonObject("stats").getInteger("maxHosts"));
    return Future.all(FetchApi.RESULTS.subscribe(vertx, stats::add), Bus.serve(vertx, StatsApi.bindings(this)));
  }

  @Override
  public Future<JsonObject> hosts(Integer limit) {
    return Future.succeededFuture(stats.top(limit(limit)));
  }

  private static int limit(Integer asked) {
    int limit = asked == null ? DEFAULT_LIMIT : asked;
    if (limit < 1) {
      throw FailureCode.BAD_INPUT.exception("limit must be at least 1, not " + limit);
    }
    return limit;
  }
}
