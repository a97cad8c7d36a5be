package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL stopped and started again on the same port while a job runs: the service stays up and honest (503
 * with Retry-After, fast), the job pauses and then completes, and nothing stored before the outage is lost.
 */
class DatabaseOutageTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.started();
  private static final int URLS = 1_500;
  private static final int LOST_URLS = 400;

  @Test
  void theServiceRidesOutADatabaseRestart() throws Exception {
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < URLS; n++) {
      urls.add(running.origin.url("/slow/" + n + "?ms=40"));
    }
    String id = running.api.submit(new JsonObject().put("urls", urls).put("concurrency", 20).put("perHost", 20));
    running.api.awaitJob(id, Duration.ofSeconds(30), j -> j.getInteger("completed") >= 200);
    Map<Integer, String> storedBefore = new java.util.HashMap<>();
    running.api.results(id).forEach(r -> storedBefore.put(r.getInteger("seq"), r.getString("sha256")));
    assertThat(storedBefore).hasSizeGreaterThanOrEqualTo(200);

    running.app.app.database().stopServer();
    try {
      assertThat(running.api.get("/hello/Ada").bodyAsString()).isEqualTo("Hello, Ada");
      for (HttpResponse<Buffer> refused : List.of(timed(() -> running.api.get("/api/jobs/" + id)),
          timed(() -> running.api.post("/api/jobs", "application/json",
              new JsonObject().put("urls", List.of(running.origin.url("/obj/1"))).toBuffer())))) {
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.getHeader("content-type")).isEqualTo("application/problem+json");
        assertThat(refused.getHeader("retry-after")).isEqualTo("2");
        // Down, not busy: the pool's connections fail at once rather than stay taken.
        assertThat(refused.bodyAsJsonObject().getString("type")).isEqualTo("urn:fetchbus:problem:unavailable");
      }
      assertThat(running.api.get("/health/ready").statusCode()).isEqualTo(503);
    } finally {
      running.app.app.database().startServer(60);
    }

    long restarted = System.nanoTime();
    await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(5), 100,
        () -> running.api.client().getAbs(running.app.url("/health/ready")).send().map(r -> r.statusCode() == 200)),
        Duration.ofSeconds(10));
    assertThat(Duration.ofNanos(System.nanoTime() - restarted)).isLessThan(Duration.ofSeconds(5));

    JsonObject done = running.api.awaitJob(id, Duration.ofSeconds(60), j -> j.getString("status").equals("done"));
    assertThat(done.getInteger("completed")).isEqualTo(URLS);
    assertThat(done.getInteger("succeeded")).isEqualTo(URLS);
    List<JsonObject> results = running.api.results(id);
    assertThat(results).extracting(r -> r.getInteger("seq"))
        .containsExactlyElementsOf(IntStream.range(0, URLS).boxed().toList());
    results.stream().filter(r -> storedBefore.containsKey(r.getInteger("seq")))
        .forEach(r -> assertThat(r.getString("sha256")).isEqualTo(storedBefore.get(r.getInteger("seq"))));
  }

  /**
   * What a database crash does to result batches committed asynchronously while the run goes on: stored rows (and
   * their share of the counters) vanish. The job must not end done with them missing: the run fetches them again.
   */
  @Test
  void resultsTheDatabaseLostAreFetchedAgainBeforeTheJobIsDone() throws Exception {
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < LOST_URLS; n++) {
      urls.add(running.origin.url("/slow/" + n + "?ms=20"));
    }
    String id = running.api.submit(new JsonObject().put("urls", urls).put("concurrency", 10).put("perHost", 10));
    running.api.awaitJob(id, Duration.ofSeconds(30), j -> j.getInteger("completed") >= 100);
    running.app.execute(
        "UPDATE jobs SET completed = completed - 50, succeeded = succeeded - 50 WHERE id = '" + id + "'",
        "DELETE FROM results WHERE job_id = '" + id + "' AND seq < 50");

    JsonObject done = running.api.awaitEnd(id, Duration.ofSeconds(60));
    assertThat(done.getString("status")).isEqualTo("done");
    assertThat(done.getInteger("completed")).isEqualTo(LOST_URLS);
    assertThat(done.getInteger("succeeded")).isEqualTo(LOST_URLS);
    assertThat(running.api.results(id)).extracting(r -> r.getInteger("seq"))
        .containsExactlyElementsOf(IntStream.range(0, LOST_URLS).boxed().toList());
  }

  /** Runs a request and asserts it was answered within 2 s. */
  private static HttpResponse<Buffer> timed(java.util.function.Supplier<HttpResponse<Buffer>> request) {
    long started = System.nanoTime();
    HttpResponse<Buffer> response = request.get();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    return response;
  }
}
