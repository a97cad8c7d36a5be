package dev.fetchbus.verticles.ops;

import dev.fetchbus.verticles.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's {@code /metrics} and {@code /health/*} on a port of its own ({@code management.port}), so that every
 * node of a cluster can be scraped and probed, a fetch-only node (which has no HTTP server) included. Each node
 * serves its own meters; Prometheus tells the nodes apart by their target. Off while the port is 0.
 */
public class ManagementVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementVerticle.class);

  private HttpServer server;

  @Override
  public Future<?> start() {
    JsonObject management = config().getJsonObject("management");
    int port = management.getInteger("port");
    if (port == 0) {
      LOG.info("management port off (management.port is 0; set FETCHBUS_MANAGEMENT_PORT to serve /metrics and "
          + "/health on a port of this node's own)");
      return Future.succeededFuture();
    }
    Router router = Router.router(vertx);
    Metrics.mountScrape(router);
    Health.mount(router, vertx, new Bus(vertx, management.getLong("busTimeoutMs")));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(management.getString("host")).setPort(port));
    return server.requestHandler(router).listen()
        .onSuccess(s -> LOG.info("management (/metrics, /health) listening on {}:{}", management.getString("host"),
            s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
