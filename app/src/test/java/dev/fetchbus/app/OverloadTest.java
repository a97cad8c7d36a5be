package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every pooled database connection busy (a pool of one, its connection stuck behind a lock the test holds on the
 * jobs table) while PostgreSQL itself answers: a request that needs the database is answered 503 {@code overloaded}
 * with Retry-After once its wait for a connection (pg.connectTimeoutMs) runs out, not {@code unavailable}; the
 * readiness check, on a connection of its own, stays 200; once the lock goes, requests succeed again.
 */
class OverloadTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();

  @Test
  void aSaturatedPoolIsOverloadedNotAnOutage() throws Exception {
    try (TestApp app = TestApp.start(running.dataDir, config -> config.getJsonObject("pg").put("poolSize", 1))) {
      Api api = new Api(running.vertx, app);
      String id = api.submit(new JsonObject().put("urls", List.of(running.origin.url("/obj/1"))));
      api.awaitEnd(id, Duration.ofSeconds(30));

      Future<HttpResponse<Buffer>> blocked;
      try (Connection lock = app.jdbc()) {
        lock.setAutoCommit(false);
        lock.createStatement().execute("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE");
        // A read that waits on the lock (or, if the fetcher's sweep got there first, waits for the connection).
        blocked = api.client().getAbs(app.url("/api/jobs/" + id)).send();
        // The pool's one connection is taken once a query of the app waits on the lock.
        await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(10), 50, () -> running.vertx.executeBlocking(
            () -> app.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") > 0)));

        for (HttpResponse<Buffer> refused : List.of(
            timed(() -> api.get("/api/jobs/" + id)),
            timed(() -> api.post("/api/jobs", "application/json",
                new JsonObject().put("urls", List.of(running.origin.url("/obj/2"))).toBuffer())))) {
          assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
          assertThat(refused.getHeader("content-type")).isEqualTo("application/problem+json");
          assertThat(refused.getHeader("retry-after")).isEqualTo("2");
          assertThat(refused.bodyAsJsonObject().getString("type")).isEqualTo("urn:fetchbus:problem:overloaded");
        }
        HttpResponse<Buffer> ready = api.get("/health/ready");
        assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
        lock.rollback();
      }

      assertThat(await(blocked).statusCode()).isIn(200, 503);
      assertThat(api.get("/api/jobs/" + id).statusCode()).isEqualTo(200);
      assertThat(app.jobRows()).isEqualTo(1);
    }
  }

  /**
   * Runs a request and asserts it waited out the pool's connection timeout (1.5 s) and no more than that by much:
   * far less than http.busTimeoutMs (10 s).
   */
  private static HttpResponse<Buffer> timed(Supplier<HttpResponse<Buffer>> request) {
    long started = System.nanoTime();
    HttpResponse<Buffer> response = request.get();
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1_400)).isLessThan(Duration.ofSeconds(5));
    return response;
  }
}
