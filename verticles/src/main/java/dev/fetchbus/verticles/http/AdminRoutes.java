package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.ops.LoopLagProbes;
import dev.fetchbus.verticles.ops.Metrics;
import dev.fetchbus.verticles.stats.api.StatsApi;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * {@code GET /metrics} (Prometheus text, when metrics are enabled) and {@code GET /admin/monitor}: what runs now.
 * The monitor asks the fetcher and the store over the bus, each with a short timeout of its own, so a part that
 * does not answer is marked unavailable instead of holding up the page; {@code fetch} is whichever fetch node
 * answered, {@code fetchNodes} what every fetch node last published.
 */
final class AdminRoutes {
  private final Vertx vertx;
  private final Bus partBus;
  private final LoopLagProbes loops;

  private final FetchNodes fetchNodes;

  /** {@code monitor}: the config's monitor section. */
  AdminRoutes(Vertx vertx, JsonObject monitor) {
    this.vertx = vertx;
    this.partBus = new Bus(vertx, monitor.getLong("partTimeoutMs"));
    this.loops = LoopLagProbes.of(vertx, monitor.getLong("loopProbeMs"), monitor.getLong("loopWindowMs"));
    this.fetchNodes = new FetchNodes(monitor.getLong("nodeMaxAgeMs"));
  }

  void mount(Router router) {
    Metrics.mountScrape(router);
    // Registered from the verticle's start, so it goes with the verticle.
    FetchApi.NODES.consumer(vertx, snapshot -> fetchNodes.heard(snapshot, System.currentTimeMillis()));
    router.get("/admin/monitor").handler(this::monitor);
  }

  private void monitor(RoutingContext ctx) {
    Future<JsonObject> fetch = part(FetchApi.client(partBus).monitor());
    Future<JsonObject> store = part(StoreApi.client(partBus).monitor());
    // Per-host success rates from the stats verticle (a plan entry that a node may not run: then unavailable).
    Future<JsonObject> hosts = part(StatsApi.client(partBus).hosts(null));
    Future.all(fetch, store, hosts).onComplete(ar -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject()
            .put("loops", loops.snapshot())
            .put("http", new JsonObject().put("inFlight", RequestTracker.inFlight(vertx)))
            .put("fetch", fetch.result())
            .put("fetchNodes", fetchNodes.toJson(System.currentTimeMillis()))
            .put("store", store.result())
            .put("hosts", hosts.result())
            .put("workers", workers())
            .encode()));
  }

  /** A part's answer marked available, or why it is not; never a failed future. */
  private static Future<JsonObject> part(Future<JsonObject> answer) {
    return answer
        .map(reply -> reply.put("available", true))
        .otherwise(err -> new JsonObject().put("available", false).put("error", String.valueOf(err.getMessage())));
  }

  /** The worker pools' threads in use and tasks waiting, from their Vert.x metrics. */
  private static JsonObject workers() {
    if (Metrics.registry().isEmpty()) {
      return new JsonObject().put("available", false).put("error", "metrics are disabled");
    }
    Map<String, Double> inUse = Metrics.poolGauge("vertx.pool.in.use", "worker");
    Map<String, Double> queued = Metrics.poolGauge("vertx.pool.queue.pending", "worker");
    JsonObject pools = new JsonObject();
    inUse.forEach((pool, n) -> pools.put(pool, new JsonObject().put("inUse", n.longValue())
        .put("queued", queued.getOrDefault(pool, 0.0).longValue())));
    return new JsonObject().put("available", true).put("pools", pools);
  }
}
