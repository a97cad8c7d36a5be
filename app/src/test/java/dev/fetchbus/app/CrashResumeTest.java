package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service as a real child process: killed with SIGKILL in the middle of a 5,000-URL job, started again on the
 * same data dir, it finishes the job with exactly one result per URL; then SIGTERM stops it with exit code 0.
 */
class CrashResumeTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();
  private static final int URLS = 5_000;

  @Test
  void aKilledServiceResumesItsJobWithExactlyOneResultPerUrl() throws Exception {
    WebClient client = WebClient.create(running.vertx);
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < URLS; n++) {
      urls.add(running.origin.url("/slow/" + n + "?ms=20"));
    }

    String id;
    int port;
    try (ChildService first = ChildService.launch(running.dataDir, "crash-resume-first", Map.of(), List.of())) {
      port = first.port;
      first.awaitReady(running.vertx, client);
      String base = first.base();
      JsonObject submitted = await(client.postAbs(base + "/api/jobs")
          .sendJsonObject(new JsonObject().put("urls", urls).put("concurrency", 50).put("perHost", 50)))
          .bodyAsJsonObject();
      id = submitted.getString("id");
      await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(60), 50, () -> client.getAbs(base + "/api/jobs/" + id)
          .send().map(r -> r.bodyAsJsonObject().getInteger("completed") >= 1_000)), Duration.ofSeconds(65));
      first.kill();
    }

    ChildService second = ChildService.launch(running.dataDir, "crash-resume-second",
        Map.of("FETCHBUS_HTTP_PORT", Integer.toString(port)), List.of());
    String base = second.base();
    try {
      second.awaitReady(running.vertx, client);
      JsonObject before = await(client.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(before.getInteger("completed")).isLessThan(URLS);
      await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(90), 100, () -> client.getAbs(base + "/api/jobs/" + id)
          .send().map(r -> r.bodyAsJsonObject().getString("status").equals("done"))), Duration.ofSeconds(95));
      JsonObject done = await(client.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(done.getInteger("completed")).isEqualTo(URLS);
      assertThat(done.getInteger("succeeded")).isEqualTo(URLS);
      second.assertOneResultPerUrl(client, id, URLS);
    } finally {
      client.close();
      assertThat(second.terminate()).isZero(); // SIGTERM: graceful
    }
  }
}
