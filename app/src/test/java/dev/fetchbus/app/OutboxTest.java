package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A job's callback goes through the outbox: delivered at least once, across restarts. */
class OutboxTest {
  private static Vertx vertx;
  private static TestOrigin origin;
  private static HttpServer receiver;
  private static final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private static final AtomicInteger refusals = new AtomicInteger();
  private static final AtomicBoolean accepting = new AtomicBoolean(true);

  @BeforeAll
  static void start() {
    vertx = StrictVertx.create();
    origin = await(TestOrigin.start(vertx));
    receiver = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> request.body().onSuccess(body -> {
          if (!accepting.get() || refusals.getAndDecrement() > 0) {
            request.response().setStatusCode(503).end();
          } else {
            received.add(body.toJsonObject());
            request.response().setStatusCode(204).end();
          }
        }))
        .listen());
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  private static String callbackUrl() {
    return "http://127.0.0.1:" + receiver.actualPort() + "/hooks/jobs";
  }

  private static Future<Boolean> receivedFor(String id) {
    return Future.succeededFuture(received.stream().anyMatch(b -> id.equals(b.getString("id"))));
  }

  @Test
  void theCallbackIsRetriedUntilDelivered() throws Exception {
    Path dataDir = TestApp.newDataDir();
    try (TestApp app = TestApp.start(dataDir)) {
      Api api = new Api(vertx, app);
      refusals.set(2);
      String id = api.submit(new JsonObject().put("urls", List.of(origin.url("/obj/1"), origin.url("/obj/2"),
          origin.url("/nowhere/3"))).put("callbackUrl", callbackUrl()));
      await(StrictVertx.eventually(vertx, Duration.ofSeconds(20), 50, () -> receivedFor(id)), Duration.ofSeconds(25));
      JsonObject summary = received.stream().filter(b -> id.equals(b.getString("id"))).findFirst().orElseThrow();
      assertThat(summary.getString("status")).isEqualTo("done");
      assertThat(summary.getString("event")).isEqualTo("job.ended");
      assertThat(summary.getInteger("completed")).isEqualTo(3);
      assertThat(refusals.get()).isNegative(); // both refusals were used up before the delivery

      api.close();
    } finally {
      TestApp.delete(dataDir);
    }
  }

  @Test
  void aCallbackOwedWhenTheServiceStoppedIsDeliveredAfterItStartsAgain() throws Exception {
    Path dataDir = TestApp.newDataDir();
    try {
      String id;
      accepting.set(false);
      try (TestApp first = TestApp.start(dataDir)) {
        Api api = new Api(vertx, first);
        id = api.submit(new JsonObject().put("urls", List.of(origin.url("/obj/7"))).put("callbackUrl", callbackUrl()));
        assertThat(api.awaitEnd(id, Duration.ofSeconds(20)).getString("status")).isEqualTo("done");
        api.close();
      }
      assertThat(receivedFor(id).result()).isFalse();
      accepting.set(true);
      try (TestApp second = TestApp.start(dataDir)) {
        await(StrictVertx.eventually(vertx, Duration.ofSeconds(20), 50, () -> receivedFor(id)), Duration.ofSeconds(25));
      }
    } finally {
      accepting.set(true);
      TestApp.delete(dataDir);
    }
  }
}
