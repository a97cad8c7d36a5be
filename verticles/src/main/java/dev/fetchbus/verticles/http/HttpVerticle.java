package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.auth.ApiTokens;
import dev.fetchbus.verticles.auth.PublicBind;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.guard.AddressGuard;
import dev.fetchbus.verticles.guard.Cidr;
import dev.fetchbus.verticles.http.api.JobsApi;
import dev.fetchbus.verticles.ops.Health;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
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
  private Bus bus;
  private JobSubmission submission;
  private UploadRoutes uploads;
  private ApiTokens tokens;

  @Override
  public Future<?> start() {
    JsonObject http = config().getJsonObject("http");
    tokens = ApiTokens.of(config().getJsonObject("auth").getJsonArray("tokens"));
    PublicBind.check(http.getString("host"), tokens);
    drainMs = http.getLong("drainMs");
    bus = new Bus(vertx, http.getLong("busTimeoutMs"));
    // The fetcher's allow-list, so that a callback URL naming an address the fetcher refuses is refused here.
    AddressGuard guard = new AddressGuard(Cidr.parseAll(config().getJsonObject("fetch").getJsonArray("allow")));
    uploads = new UploadRoutes(vertx, Path.of(config().getString("dataDir")), bus, config().getJsonObject("uploads"));
    return SpecValidation.load(vertx, config().getJsonObject("jobs"))
        .compose(spec -> {
          submission = new JobSubmission(vertx, bus, config().getJsonObject("jobs"), guard, spec);
          return Future.all(
              // Bus clients (the TCP bridge among them) submit through the same validation as POST /api/jobs.
              Bus.serve(vertx, JobsApi.bindings(submission::submitFromBus)),
              uploads.start().compose(v -> listen(router(spec))));
        })
        .onSuccess(v -> LOG.info("HTTP listening on {}:{}", http.getString("host"), server.actualPort()));
  }

  /**
   * Every route, behind the middleware (in its fixed order); requests to the job and upload APIs (and only there)
   * are checked against the OpenAPI contract first.
   */
  Router router(SpecValidation spec) {
    JsonObject http = config().getJsonObject("http");
    Router router = Router.router(vertx);
    ProgressFeed progress = new ProgressFeed(vertx, bus);
    Middleware.mount(vertx, router, config(), tokens, uploads.pacer());
    new HelloRoutes(vertx, new HttpDate(vertx), http.getLong("maxDelayMs")).mount(router);
    new JobRoutes(vertx, bus, submission, progress, http.getInteger("maxBodyBytes"), spec).mount(router);
    uploads.mount(router, spec);
    new WebSocketRoutes(vertx, progress, http).mount(router);
    new AdminRoutes(vertx, config().getJsonObject("monitor")).mount(router);
    Health.mount(router, vertx, bus);
    new OpenApiRoutes(spec.document()).mount(router);
    new DashboardRoutes().mount(router);
    ProblemResponses.mount(router);
    return router;
  }

  private Future<HttpServer> listen(Router router) {
    JsonObject http = config().getJsonObject("http");
    JsonObject compression = http.getJsonObject("compression");
    JsonObject webSocket = http.getJsonObject("webSocket");
    server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(http.getString("host"))
            .setPort(http.getInteger("port"))
            .setAcceptBacklog(http.getInteger("acceptBacklog"))
            .setIdleTimeout(http.getInteger("idleTimeoutSeconds"))
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setMaxChunkSize(http.getInteger("maxChunkBytes"))
            .setCompressionSupported(compression.getBoolean("enabled"))
            .setCompressionLevel(compression.getInteger("level"))
            .setCompressionContentSizeThreshold(compression.getInteger("minBytes"))
            .setMaxWebSocketFrameSize(webSocket.getInteger("maxFrameBytes"))
            .setMaxWebSocketMessageSize(webSocket.getInteger("maxMessageBytes"))
            .setWebSocketClosingTimeout(webSocket.getInteger("closingTimeoutSeconds"))
            // No WebSocket compression: left on, Vert.x puts an extension handler in every connection's pipeline,
            // and every HTTP request then passes through it.
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false)
            // HTTP/1.1 only. Vert.x's cleartext HTTP/2 (h2c) answers an "Upgrade: h2c" without HTTP2-Settings with
            // a 400 that has no length and never closes the connection, so the client waits forever; and its
            // preface check sits in every new connection's pipeline.
            .setHttp2ClearTextEnabled(false))
        .requestHandler(router)
        .invalidRequestHandler(ProblemResponses::unreadable);
    return server.listen();
  }

  /** Lets in-flight requests finish (up to the drain time) before the server closes. */
  @Override
  public Future<?> stop() {
    uploads.stop();
    return server.shutdown(drainMs, TimeUnit.MILLISECONDS);
  }
}
