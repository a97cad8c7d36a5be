package dev.fetchbus.verticles.ops;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.store.api.StoreApi;
import dev.fetchbus.verticles.testing.FreePort;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The management port alone: health that follows this node's deployment and the store's answer over the bus. */
class ManagementVerticleTest {
  private Vertx vertx;
  private HttpClient client;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  @Test
  void readyOnlyOnceDeployedAndTheStoreAnswers() {
    int port = FreePort.next();
    await(vertx.deployVerticle(new ManagementVerticle(), new DeploymentOptions().setConfig(config(port))));
    // Live with no checks to run: 204, as on the HTTP server.
    assertThat(status(port, "/health/live")).isEqualTo(204);
    // Nothing answers fetchbus.store.ping yet, and the node has not said it is deployed.
    assertThat(status(port, "/health/ready")).isEqualTo(503);

    Readiness.setDeployed(vertx, true);
    assertThat(status(port, "/health/ready")).as("deployed, but no store").isEqualTo(503);
    await(Bus.consume(vertx, StoreApi.PING.address(), ping -> Future.succeededFuture(new JsonObject())));
    assertThat(status(port, "/health/ready")).isEqualTo(200);
  }

  private int status(int port, String path) {
    return await(client.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> response.statusCode())));
  }

  private static JsonObject config(int port) {
    return new JsonObject().put("management", new JsonObject().put("host", "127.0.0.1").put("port", port)
        .put("busTimeoutMs", 500));
  }
}
