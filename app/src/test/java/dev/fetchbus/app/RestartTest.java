package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Jobs live in the data dir: a job stopped half-way is still there after a restart, and finishes. */
class RestartTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();

  @Test
  void aJobStoppedHalfWayResumesAfterARestartWithOneResultPerUrl() throws Exception {
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < 24; n++) {
      urls.add(running.origin.url("/slow/" + n + "?ms=250"));
    }
    String id;
    JsonObject before;
    try (TestApp first = TestApp.start(running.dataDir)) {
      Api api = new Api(running.vertx, first);
      id = api.submit(urls, 2);
      before = api.awaitJob(id, Duration.ofSeconds(30), j -> j.getInteger("completed") >= 4);
      api.close();
    }
    assertThat(before.getString("status")).isEqualTo("running");

    try (TestApp second = TestApp.start(running.dataDir)) {
      Api api = new Api(running.vertx, second);
      JsonObject after = api.job(id);
      assertThat(after.getString("createdAt")).isEqualTo(before.getString("createdAt"));
      assertThat(after.getInteger("total")).isEqualTo(24);
      assertThat(after.getInteger("completed")).isGreaterThanOrEqualTo(before.getInteger("completed"));

      JsonObject done = api.awaitJob(id, Duration.ofSeconds(60), j -> j.getString("status").equals("done"));
      assertThat(done.getInteger("completed")).isEqualTo(24);
      assertThat(done.getInteger("succeeded")).isEqualTo(24);
      List<JsonObject> results = api.results(id);
      assertThat(results).extracting(r -> r.getInteger("seq")).containsExactlyElementsOf(
          java.util.stream.IntStream.range(0, 24).boxed().toList());
      for (JsonObject r : results) {
        assertThat(r.getString("sha256")).isEqualTo(TestOrigin.sha256(TestOrigin.object(r.getInteger("seq"))));
      }
      api.close();
    }
  }
}
