package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.auth.ApiTokens;
import dev.fetchbus.verticles.auth.PublicBind;
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
import java.nio.file.Path;
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
    JsonObject http = config().getJsonObject("http");
    drainMs = http.getLong("drainMs");
    PublicBind.check(http.getString("host"), ApiTokens.of(config().getJsonObject("auth").getJsonArray("tokens")));
    Bus bus = new Bus(vertx, http.getLong("busTimeoutMs"));

    Router router = Router.router(vertx);
    // Before every other handler: it counts requests in flight and times them (debug mode).
    router.route().handler(RequestTracker.create(vertx, config().getJsonObject("debug")));
    Middleware.mount(vertx, router, config());
    new HelloRoutes(vertx, new HttpDate(vertx), http.getLong("maxDelayMs")).mount(router);
    JobSubmission submission = new JobSubmission(bus, config().getJsonObject("jobs"));
    new JobRoutes(vertx, Path.of(config().getString("dataDir")), bus, submission, http.getInteger("maxBodyBytes"))
        .mount(router);
    new AdminRoutes(vertx, config().getJsonObject("monitor")).mount(router);
    UploadRoutes uploads = new UploadRoutes(vertx, Path.of(config().getString("dataDir")), bus,
        config().getJsonObject("uploads"));
    uploads.mount(router);
    new WebSocketRoutes(vertx, new ProgressFeed(vertx, bus), http).mount(router);
    router.get("/health/live").handler(HealthCheckHandler.create(vertx));
    router.get("/health/ready").handler(readiness(bus));
    ProblemResponses.mount(router);

    JsonObject compression = http.getJsonObject("compression");
    server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(http.getString("host"))
            .setPort(http.getInteger("port"))
            .setAcceptBacklog(http.getInteger("acceptBacklog"))
            .setMaxChunkSize(http.getInteger("maxChunkBytes"))
            .setIdleTimeout(http.getInteger("idleTimeoutSeconds"))
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setCompressionSupported(compression.getBoolean("enabled"))
            .setCompressionLevel(compression.getInteger("level"))
            .setCompressionContentSizeThreshold(compression.getInteger("minBytes"))
            .setMaxWebSocketFrameSize(http.getJsonObject("webSocket").getInteger("maxFrameBytes"))
            .setMaxWebSocketMessageSize(http.getJsonObject("webSocket").getInteger("maxMessageBytes")))
        .requestHandler(router);
    // Bus clients (the TCP bridge among them) submit through the same validation as POST /api/jobs.
    return Future.all(Bus.consume(vertx, Addresses.JOBS_SUBMIT, submission::submitFromBus),
            uploads.createDirectory().compose(v -> server.listen()))
        .onSuccess(v -> LOG.info("HTTP listening on {}:{}", http.getString("host"), server.actualPort()));
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
