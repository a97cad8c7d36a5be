package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /metrics and /admin/monitor of the running service, after and during real jobs against a loopback origin. */
class ObservabilityTest {
  /** With Vert.x's HTTP client meters on (off by default), so that the fetcher's pools are metered too. */
  @RegisterExtension
  static final RunningApp running = RunningApp.started(
      config -> config.getJsonObject("metrics").put("vertxHttpClient", true));

  @Test
  void metricsCountAJobsResultsBytesDurationAndBatchesWithoutJobIdLabels() {
    Scrape before = scrape();
    List<String> urls = new ArrayList<>();
    IntStream.range(0, 20).forEach(n -> urls.add(running.origin.url("/obj/" + n)));
    IntStream.range(0, 3).forEach(n -> urls.add(running.origin.url("/missing/" + n)));
    String id = running.api.submit(urls, 8);
    assertThat(running.api.awaitEnd(id, Duration.ofSeconds(60)).getString("status")).isEqualTo("done");
    Scrape after = scrape();

    long okBytes = IntStream.range(0, 20).mapToLong(n -> TestOrigin.object(n).length).sum();
    long missingBytes = IntStream.range(0, 3).mapToLong(n -> TestOrigin.missingBody(n).length()).sum();
    assertThat(after.delta(before, "fetchbus_results_total", "outcome=\"ok\"")).isEqualTo(20);
    assertThat(after.delta(before, "fetchbus_results_total", "outcome=\"http_error\"")).isEqualTo(3);
    assertThat(after.delta(before, "fetchbus_fetched_bytes_total")).isEqualTo(okBytes + missingBytes);
    assertThat(after.delta(before, "fetchbus_job_duration_seconds_count", "status=\"done\"")).isEqualTo(1);
    assertThat(after.delta(before, "fetchbus_batch_size_sum")).isEqualTo(23);
    assertThat(after.delta(before, "fetchbus_batch_size_count")).isBetween(1.0, 23.0);
    assertThat(after.value("fetchbus_outbox_lag_seconds", "kind=\"callback\"")).isNotNull();

    // The HTTP server by route template; Vert.x's own: the database pool, the fetcher's pools folded into one.
    assertThat(after.value("fetchbus_http_server_requests_seconds_count", "route=\"/api/jobs/:id\"",
        "code=\"200\""))
        .isGreaterThanOrEqualTo(2);
    assertThat(after.value("vertx_pool_completed_total", "pool_type=\"sql\"")).isPositive();
    assertThat(after.delta(before, "vertx_pool_queue_time_seconds_count", "pool_type=\"http\"",
        "pool_name=\"origins\"")).isEqualTo(23);
    assertThat(after.text).doesNotContain(id).doesNotContain("path=\"").doesNotContain("127.0.0.1:");
  }

  @Test
  void theMonitorShowsARunningJobsFetchesEventLoopsAndPools() {
    List<String> slow = IntStream.range(0, 4).mapToObj(n -> running.origin.url("/slow/" + n + "?ms=20000")).toList();
    String id = running.api.submit(slow, 4);
    try {
      AtomicReference<JsonObject> seen = new AtomicReference<>();
      await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(20), 100, () ->
          running.api.client().getAbs(running.app.url("/admin/monitor")).send().map(r -> {
            JsonObject monitor = r.bodyAsJsonObject();
            seen.set(monitor);
            return runs(monitor.getJsonObject("fetch"), id)
                && monitor.getJsonArray("fetchNodes").stream().anyMatch(node -> runs((JsonObject) node, id));
          })), Duration.ofSeconds(30));
      JsonObject monitor = seen.get();

      JsonObject fetch = monitor.getJsonObject("fetch");
      assertThat(fetch.getBoolean("available")).isTrue();
      assertThat(fetch.getInteger("inFlight")).isGreaterThanOrEqualTo(4);
      assertThat(fetch.getInteger("maxInFlight")).isEqualTo(2048);
      JsonObject job = fetch.getJsonArray("jobs").stream().map(j -> (JsonObject) j)
          .filter(j -> j.getString("id").equals(id)).findFirst().orElseThrow();
      assertThat(job.getInteger("total")).isEqualTo(4);
      assertThat(job.getInteger("done")).isZero();
      // Every fetch node, as it last published itself: here the one node, the same that answered as "fetch".
      JsonArray nodes = monitor.getJsonArray("fetchNodes");
      assertThat(nodes).hasSize(1);
      assertThat(nodes.getJsonObject(0).getString("node")).isEqualTo(fetch.getString("node")).contains("@");
      assertThat(nodes.getJsonObject(0).getLong("ageMs")).isBetween(0L, 10_000L);

      JsonArray loops = monitor.getJsonArray("loops");
      assertThat(loops).hasSize(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
      loops.forEach(l -> {
        JsonObject loop = (JsonObject) l;
        assertThat(loop.getString("thread")).startsWith("vert.x-eventloop-thread-");
        assertThat(loop.getDouble("lastMs")).isGreaterThanOrEqualTo(0.0);
        assertThat(loop.getDouble("maxMs")).isGreaterThanOrEqualTo(loop.getDouble("lastMs"));
        assertThat(loop.getLong("windowMs")).isEqualTo(10_000);
      });

      JsonObject store = monitor.getJsonObject("store");
      assertThat(store.getBoolean("available")).isTrue();
      // The stats verticle's per-host success rates.
      JsonObject hosts = monitor.getJsonObject("hosts");
      assertThat(hosts.getBoolean("available")).isTrue();
      assertThat(hosts.getJsonArray("hosts")).isNotNull();
      assertThat(store.getInteger("maxSize")).isEqualTo(8);
      assertThat(store.getInteger("size")).isBetween(1, 8);
      assertThat(store.getDouble("inUse")).isBetween(0.0, 8.0);
      assertThat(store.getDouble("waiting")).isGreaterThanOrEqualTo(0.0);
      assertThat(store.getJsonObject("outboxLagSeconds").fieldNames()).containsExactly("callback");

      // The monitor's own request is in flight while it is answered.
      assertThat(monitor.getJsonObject("http").getLong("inFlight")).isGreaterThanOrEqualTo(1);
      JsonObject workers = monitor.getJsonObject("workers");
      assertThat(workers.getBoolean("available")).isTrue();
      assertThat(workers.getJsonObject("pools").fieldNames()).contains("vert.x-worker-thread");
    } finally {
      assertThat(running.api.delete("/api/jobs/" + id).statusCode()).isEqualTo(200);
    }
  }

  private static Scrape scrape() {
    HttpResponse<Buffer> response = running.api.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).startsWith("text/plain");
    return new Scrape(response.bodyAsString());
  }

  /** Prometheus text: the sum of the samples of one metric whose labels include all of the given pairs. */
  private record Scrape(String text) {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    Double value(String name, String... labels) {
      Double sum = null;
      for (String line : text.split("\n")) {
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches() || !m.group(1).equals(name)) {
          continue;
        }
        String labelText = m.group(2) == null ? "" : m.group(2);
        if (List.of(labels).stream().allMatch(labelText::contains)) {
          sum = (sum == null ? 0 : sum) + Double.parseDouble(m.group(3));
        }
      }
      return sum;
    }

    double delta(Scrape before, String name, String... labels) {
      Double now = value(name, labels);
      assertThat(now).as(name + " " + List.of(labels) + " in /metrics").isNotNull();
      Double then = before.value(name, labels);
      return now - (then == null ? 0 : then);
    }
  }

  /** Whether a fetch node's snapshot shows the job running with all four of its fetches in flight. */
  private static boolean runs(JsonObject fetchNode, String id) {
    return fetchNode.getJsonArray("jobs").stream().map(j -> (JsonObject) j)
        .anyMatch(job -> job.getString("id").equals(id) && job.getInteger("inFlight") == 4);
  }
}
