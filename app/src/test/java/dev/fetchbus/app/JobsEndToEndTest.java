package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole service over real loopback HTTP: a real running.origin, the running.app, embedded PostgreSQL. */
class JobsEndToEndTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.started();

  @Test
  void helloGreetsByName() {
    HttpResponse<Buffer> anonymous = running.api.get("/hello");
    assertThat(anonymous.statusCode()).isEqualTo(200);
    assertThat(anonymous.bodyAsString()).isEqualTo("Hello, Anonymous");
    assertThat(anonymous.getHeader("content-type")).startsWith("text/plain");
    assertThat(running.api.get("/hello/Ada").bodyAsString()).isEqualTo("Hello, Ada");
  }

  @Test
  void helloWaitsOnATimerForTheDelay() {
    long started = System.nanoTime();
    HttpResponse<Buffer> response = running.api.get("/hello/Ada?delay=100ms");
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(response.bodyAsString()).isEqualTo("Hello, Ada");
    assertThat(tookMs).isGreaterThanOrEqualTo(100);
  }

  @Test
  void helloRefusesABadDelay() {
    for (String delay : List.of("11s", "abc", "-5ms", "10001")) {
      HttpResponse<Buffer> response = running.api.get("/hello?delay=" + delay);
      assertThat(response.statusCode()).as(delay).isEqualTo(400);
      assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
      assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:fetchbus:problem:invalid-delay");
    }
  }

  /** A job of jobs.maxUrls URLs is checked on a worker: no event loop is held (the blocked-thread alarm fails if one is). */
  @Test
  void aJobOfTheMostUrlsIsAcceptedWithoutBlockingAnEventLoop() {
    JsonArray urls = new JsonArray();
    for (int i = 0; i < 100_000; i++) {
      urls.add("http://127.0.0.1:1/" + i);
    }
    String id = running.api.submit(new JsonObject().put("urls", urls).put("retries", 0));
    assertThat(running.api.job(id).getInteger("total")).isEqualTo(100_000);
    assertThat(running.api.delete("/api/jobs/" + id).statusCode()).isIn(200, 409);
  }

  @Test
  void readyOnceEverythingIsUp() {
    HttpResponse<Buffer> ready = running.api.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    assertThat(running.api.get("/health/live").statusCode()).isIn(200, 204);
  }

  @Test
  void anIdempotencyKeyReturnsTheSameJobAndRefusesAnotherRequest() throws Exception {
    String key = "order-" + java.util.UUID.randomUUID();
    Buffer body = new JsonObject().put("urls", List.of(running.origin.url("/obj/1"), running.origin.url("/obj/2"))).toBuffer();
    HttpResponse<Buffer> first = await(running.api.client().postAbs(running.app.url("/api/jobs"))
        .putHeader("content-type", "application/json").putHeader("Idempotency-Key", key).sendBuffer(body));
    HttpResponse<Buffer> again = await(running.api.client().postAbs(running.app.url("/api/jobs"))
        .putHeader("content-type", "application/json").putHeader("Idempotency-Key", key).sendBuffer(body));
    HttpResponse<Buffer> other = await(running.api.client().postAbs(running.app.url("/api/jobs"))
        .putHeader("content-type", "application/json").putHeader("Idempotency-Key", key)
        .sendBuffer(new JsonObject().put("urls", List.of(running.origin.url("/obj/3"))).toBuffer()));
    HttpResponse<Buffer> badKey = await(running.api.client().postAbs(running.app.url("/api/jobs"))
        .putHeader("content-type", "application/json").putHeader("Idempotency-Key", "")
        .sendBuffer(body));

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("id")).isEqualTo(first.bodyAsJsonObject().getString("id"));
    assertThat(again.getHeader("location")).isEqualTo(first.getHeader("location"));
    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(other.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(badKey.statusCode()).isEqualTo(400);
    assertThat(running.app.jobRows("idempotency_key = '" + key + "'")).isEqualTo(1);
  }

  @Test
  void everyUrlGetsExactlyOneResultWithTheRightBytes() {
    int count = 300;
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      urls.add(n % 20 == 7 ? running.origin.url("/missing/" + n) : n == 150 ? running.origin.url("/slow/150?ms=1500")
          : running.origin.url("/obj/" + n));
    }
    urls.add("http://127.0.0.1:1/refused");

    HttpResponse<Buffer> submitted = running.api.post("/api/jobs", "application/json",
        new JsonObject().put("urls", urls).put("concurrency", 50).toBuffer());
    assertThat(submitted.statusCode()).isEqualTo(202);
    String id = submitted.bodyAsJsonObject().getString("id");
    assertThat(submitted.getHeader("location")).isEqualTo("/api/jobs/" + id);
    assertThat(submitted.bodyAsJsonObject().getString("status")).isEqualTo("queued");

    JsonObject job = running.api.awaitJob(id, Duration.ofSeconds(60), j -> j.getString("status").equals("done"));
    assertThat(job.getInteger("total")).isEqualTo(count + 1);
    assertThat(job.getInteger("completed")).isEqualTo(count + 1);
    assertThat(job.getInteger("failed")).isEqualTo(count / 20 + 1);
    assertThat(job.getInteger("succeeded")).isEqualTo(count - count / 20);
    assertThat(job.getString("startedAt")).isNotNull();
    assertThat(job.getString("finishedAt")).isNotNull();

    List<JsonObject> results = running.api.results(id);
    assertThat(results).hasSize(count + 1);
    Set<Integer> seen = new HashSet<>();
    for (JsonObject r : results) {
      int seq = r.getInteger("seq");
      assertThat(seen.add(seq)).as("one result for seq %d", seq).isTrue();
      assertThat(r.getString("url")).isEqualTo(urls.get(seq));
      assertThat(r.getInteger("attempts")).isEqualTo(seq == count ? 3 : 1); // refused connections are retried twice
      assertThat(r.getLong("durationMs")).isNotNegative();
      if (seq == count) {
        assertThat(r.getString("outcome")).isEqualTo("connection_error");
        assertThat(r.getInteger("httpStatus")).isNull();
      } else if (seq % 20 == 7) {
        byte[] body = TestOrigin.missingBody(seq).getBytes(StandardCharsets.UTF_8);
        assertThat(r.getString("outcome")).isEqualTo("http_error");
        assertThat(r.getInteger("httpStatus")).isEqualTo(404);
        assertThat(r.getString("sha256")).isEqualTo(TestOrigin.sha256(body));
      } else {
        byte[] body = TestOrigin.object(seq);
        assertThat(r.getString("outcome")).as("seq %d", seq).isEqualTo("ok");
        assertThat(r.getInteger("httpStatus")).isEqualTo(200);
        assertThat(r.getLong("bytes")).isEqualTo(body.length);
        assertThat(r.getString("sha256")).isEqualTo(TestOrigin.sha256(body));
      }
    }
    assertThat(results.get(150).getLong("durationMs")).isGreaterThanOrEqualTo(1500);

    assertThat(running.api.get("/api/jobs/" + id + "/results?outcome=ok").bodyAsString().split("\n")).hasSize(count - count / 20);
    assertThat(running.api.get("/api/jobs/" + id + "/results?outcome=error").bodyAsString().split("\n")).hasSize(count / 20 + 1);
    assertThat(running.api.get("/api/jobs/" + id + "/results?outcome=connection_error").bodyAsString().split("\n")).hasSize(1);
    assertThat(running.api.get("/api/jobs/" + id + "/results?outcome=nonsense").statusCode()).isEqualTo(400);

    HttpResponse<Buffer> csv = await(running.api.client().getAbs(running.app.url("/api/jobs/" + id + "/results"))
        .putHeader("accept", "text/csv").send());
    assertThat(csv.getHeader("content-type")).startsWith("text/csv");
    String[] lines = csv.bodyAsString().split("\r\n");
    assertThat(lines[0]).isEqualTo("seq,url,outcome,httpStatus,bytes,sha256,durationMs,attempts,decoded,path");
    assertThat(lines).hasSize(count + 2);
    String[] first = lines[1].split(",", -1);
    assertThat(first[0]).isEqualTo("0");
    assertThat(first[1]).isEqualTo(urls.get(0));
    assertThat(first[5]).isEqualTo(TestOrigin.sha256(TestOrigin.object(0)));
  }

  @Test
  void jobsArePagedNewestFirst() {
    String older = running.api.submit(List.of(running.origin.url("/obj/1")), 1);
    String newer = running.api.submit(List.of(running.origin.url("/obj/2")), 1);
    JsonObject page = running.api.get("/api/jobs?limit=1").bodyAsJsonObject();
    assertThat(page.getJsonArray("jobs")).hasSize(1);
    assertThat(page.getJsonArray("jobs").getJsonObject(0).getString("id")).isEqualTo(newer);
    assertThat(page.getString("next")).isEqualTo(newer);
    JsonObject next = running.api.get("/api/jobs?limit=1&after=" + newer).bodyAsJsonObject();
    assertThat(next.getJsonArray("jobs").getJsonObject(0).getString("id")).isEqualTo(older);
    running.api.awaitEnd(older, Duration.ofSeconds(30));
    running.api.awaitEnd(newer, Duration.ofSeconds(30));
    JsonObject done = running.api.get("/api/jobs?status=done&limit=1000").bodyAsJsonObject();
    assertThat(done.getJsonArray("jobs").stream().map(j -> ((JsonObject) j).getString("id"))).contains(older, newer);
    assertThat(done.getString("next")).isNull();
    assertThat(running.api.get("/api/jobs?status=sleeping").statusCode()).isEqualTo(400);
    assertThat(running.api.get("/api/jobs?limit=0").statusCode()).isEqualTo(400);
  }

  @Test
  void aFinishedJobCanBePurgedARunningOneCannot() {
    String id = running.api.submit(List.of(running.origin.url("/slow/1?ms=5000")), 1);
    running.api.awaitJob(id, Duration.ofSeconds(10), j -> j.getString("status").equals("running"));
    assertThat(running.api.delete("/api/jobs/" + id.toUpperCase() + "?purge=true").statusCode()).isEqualTo(409);
    HttpResponse<Buffer> cancelled = running.api.delete("/api/jobs/" + id.toUpperCase()); // one job, however it is spelled
    assertThat(cancelled.statusCode()).isEqualTo(200);
    assertThat(cancelled.bodyAsJsonObject().getString("id")).isEqualTo(id);
    assertThat(running.api.delete("/api/jobs/" + id + "?purge=true").statusCode()).isEqualTo(204);
    assertThat(running.api.get("/api/jobs/" + id).statusCode()).isEqualTo(404);
    assertThat(running.api.get("/api/jobs/" + id + "/results").statusCode()).isEqualTo(404);
    assertThat(running.api.delete("/api/jobs/" + id + "?purge=true").statusCode()).isEqualTo(404);
    assertThat(running.api.get("/api/jobs?after=" + id).statusCode()).isEqualTo(400); // a cursor that is gone
  }

  @Test
  void theSummaryCountsOutcomesAndNamesHostsByOrigin() {
    int port = running.origin.port();
    List<String> urls = List.of(running.origin.url("/obj/1"), running.origin.url("/obj/2"),
        running.origin.url("/missing/1"), running.origin.url("/missing/2"),
        "http://user:secret@127.0.0.1:" + port + "/obj/3", "http://LOCALHOST:" + port + "/obj/4",
        "http://127.0.0.1:80/default-port");
    String id = running.api.submit(new JsonObject().put("urls", new JsonArray(urls)).put("retries", 0));
    assertThat(running.api.awaitEnd(id, Duration.ofSeconds(30)).getString("status")).isEqualTo("done");

    JsonObject summary = running.api.get("/api/jobs/" + id + "/summary?hosts=5").bodyAsJsonObject();
    // Port 80 of this machine may answer or not: its URL's outcome is left open.
    JsonObject outcomes = summary.getJsonObject("outcomes");
    assertThat(outcomes.getInteger("http_error")).isBetween(2, 3);
    assertThat(outcomes.getInteger("ok")).isBetween(4, 5);
    assertThat(outcomes.stream().mapToInt(e -> ((Number) e.getValue()).intValue()).sum()).isEqualTo(7);
    JsonArray failing = summary.getJsonArray("failingHosts");
    assertThat(failing.getJsonObject(0).getString("host")).isEqualTo("http://127.0.0.1:" + port);
    assertThat(failing.getJsonObject(0).getLong("failed")).isEqualTo(2);
    assertThat(failing.getJsonObject(0).getLong("results")).isEqualTo(5);
    // A default port is no part of the host, as the fetcher counts hosts (whatever port 80 answered here).
    assertThat(summary.getJsonArray("slowestHosts").stream().map(h -> ((JsonObject) h).getString("host")))
        .containsExactlyInAnyOrder("http://127.0.0.1:" + port, "http://localhost:" + port, "http://127.0.0.1");

    assertThat(running.api.get("/api/jobs/" + java.util.UUID.randomUUID() + "/summary").statusCode()).isEqualTo(404);
    assertThat(running.api.get("/api/jobs/" + id + "/summary?hosts=0").statusCode()).isEqualTo(400);
  }
}
