package dev.fetchbus.verticles.ops;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

/**
 * {@code /health/live} and {@code /health/ready}, the same on the HTTP server and on a node's management port: ready
 * when this node's verticles are deployed and the store answers over the bus (in a cluster, from whichever node runs
 * it), and, where this process supervises the embedded database, when that is up.
 */
public final class Health {
  private static final long DATABASE_CHECK_MS = 2_000;

  private Health() {
  }

  public static void mount(Router router, Vertx vertx, Bus bus) {
    router.get("/health/live").handler(HealthCheckHandler.create(vertx));
    router.get("/health/ready").handler(readiness(vertx, bus));
  }

  private static HealthCheckHandler readiness(Vertx vertx, Bus bus) {
    HealthCheckHandler handler = HealthCheckHandler.create(vertx)
        .register("verticles", promise -> promise.complete(Readiness.deployed(vertx) ? Status.OK() : Status.KO()))
        .register("database", DATABASE_CHECK_MS, promise -> StoreApi.client(bus).ping()
            .map(reply -> Status.OK())
            .otherwise(err -> Status.KO(new JsonObject().put("error", String.valueOf(err.getMessage()))))
            .onComplete(promise));
    if (Readiness.embeddedDatabase(vertx) != null) {
      // This process supervises the embedded server: say whether it is up, or restarting (attempt, last exit).
      handler.register("embedded-database", promise -> {
        JsonObject state = Readiness.embeddedDatabase(vertx);
        promise.complete("up".equals(state.getString("state")) ? Status.OK(state) : Status.KO(state));
      });
    }
    return handler;
  }
}
