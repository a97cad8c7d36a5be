package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.Readiness;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP front: one instance per core, all sharing the listening port. */
public class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  private HttpServer server;
  private long drainMs;

  @Override
  public Future<?> start() {
    return SpecValidation.load(vertx, config().getJsonObject("jobs")).compose(spec -> listen(router(spec)));
  }

  /** Every route; requests to the job API (and only there) are checked against the contract first. */
  Router router(SpecValidation spec) {
    JsonObject http = config().getJsonObject("http");
    Bus bus = new Bus(vertx, http.getLong("busTimeoutMs"));

    Router router = Router.router(vertx);
    new HelloRoutes(vertx, new HttpDate(vertx), http.getLong("maxDelayMs")).mount(router);
    new JobRoutes(vertx, java.nio.file.Path.of(config().getString("dataDir")), bus, config().getJsonObject("jobs"), http.getInteger("maxBodyBytes"), spec).mount(router);
    router.get("/health/live").handler(HealthCheckHandler.create(vertx));
    router.get("/health/ready").handler(readiness(bus));
    new OpenApiRoutes(spec.document()).mount(router);
    ProblemResponses.mount(router);
    return router;
  }

  private Future<HttpServer> listen(Router router) {
    JsonObject http = config().getJsonObject("http");
    drainMs = http.getLong("drainMs");
    server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(http.getString("host"))
            .setPort(http.getInteger("port"))
            .setAcceptBacklog(http.getInteger("acceptBacklog"))
            .setIdleTimeout(http.getInteger("idleTimeoutSeconds"))
            .setIdleTimeoutUnit(TimeUnit.SECONDS))
        .requestHandler(router);
    return server.listen()
        .onSuccess(s -> LOG.info("HTTP listening on {}:{}", http.getString("host"), s.actualPort()));
  }

  /** Lets in-flight requests finish (up to the drain time) before the server closes. */
  @Override
  public Future<?> stop() {
    return server.shutdown(drainMs, TimeUnit.MILLISECONDS);
  }

  private HealthCheckHandler readiness(Bus bus) {
    return HealthCheckHandler.create(vertx)
        .register("verticles", promise -> promise.complete(Readiness.deployed(vertx) ? Status.OK() : Status.KO()))
        .register("database", 2_000, promise -> bus.request(Addresses.STORE_PING, new JsonObject())
            .map(reply -> Status.OK())
            .otherwise(err -> Status.KO(new JsonObject().put("error", String.valueOf(err.getMessage()))))
            .onComplete(promise));
  }
}
