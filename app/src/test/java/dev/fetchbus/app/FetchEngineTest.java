package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.MisbehavingOrigin;
import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fetch engine against origins on loopback that misbehave on purpose: one test per misbehaviour, each
 * asserting the outcome, the attempts and that the fetch ended within its deadline.
 */
class FetchEngineTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.started();
  private static MisbehavingOrigin misbehaving;

  @BeforeAll
  static void startMisbehavingOrigin() {
    misbehaving = await(MisbehavingOrigin.start(running.vertx));
  }

  /** Fetches one URL as a job of its own and returns its result. */
  private static JsonObject fetch(String path, JsonObject options) {
    String id = running.api.submit(options.copy().put("urls", new JsonArray().add(misbehaving.url(path))));
    JsonObject job = running.api.awaitEnd(id, Duration.ofSeconds(60));
    assertThat(job.getString("status")).isEqualTo("done");
    List<JsonObject> results = running.api.results(id);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  private static JsonObject timeouts(String key, long ms) {
    return new JsonObject().put("timeouts", new JsonObject().put(key, ms));
  }

  private static void assertResult(JsonObject r, String outcome, int attempts, long maxMs) {
    assertThat(r.getString("outcome")).as(r.encode()).isEqualTo(outcome);
    assertThat(r.getInteger("attempts")).as(r.encode()).isEqualTo(attempts);
    assertThat(r.getLong("durationMs")).as(r.encode()).isLessThan(maxMs);
  }

  /**
   * The first https URL sets TLS up (the client's TLS context is built as its connection opens, refused or not). The
   * fetcher pays the JVM's share of that on a worker at start, so it does not stall an event loop here (the
   * blocked-thread alarm fails the test if it does).
   */
  @Test
  void theFirstHttpsUrlDoesNotStallAnEventLoopWithTlsSetUp() {
    String id = running.api.submit(new JsonObject().put("retries", 0)
        .put("urls", new JsonArray().add("https://127.0.0.1:1/")));
    assertThat(running.api.awaitEnd(id, Duration.ofSeconds(60)).getString("status")).isEqualTo("done");
    assertResult(running.api.results(id).get(0), "connection_error", 1, 5_000);
  }

  @Test
  void aSlowFirstByteTimesOut() {
    JsonObject r = fetch("/slow?ms=5000", timeouts("responseMs", 300).put("retries", 0));
    assertResult(r, "timeout_response", 1, 2_000);
    assertThat(r.getLong("durationMs")).isGreaterThanOrEqualTo(300);
  }

  @Test
  void aTricklingBodyHitsTheIdleTimeout() {
    JsonObject r = fetch("/trickle", timeouts("idleMs", 400).put("retries", 0));
    assertResult(r, "timeout_idle", 1, 2_000);
    assertThat(r.getInteger("httpStatus")).isEqualTo(200);
  }

  @Test
  void aTricklingBodyHitsTheTotalTimeout() {
    JsonObject options = new JsonObject().put("retries", 0)
        .put("timeouts", new JsonObject().put("idleMs", 5_000).put("totalMs", 1_500));
    JsonObject r = fetch("/trickle", options);
    assertResult(r, "timeout_total", 1, 3_000);
    assertThat(r.getLong("durationMs")).isGreaterThanOrEqualTo(1_500);
  }

  @Test
  void aServerThatNeverAnswersIsRetriedThenTimesOut() {
    JsonObject r = fetch("/silent", timeouts("responseMs", 300).put("retries", 1));
    assertResult(r, "timeout_response", 2, 4_000);
  }

  @Test
  void aResetMidBodyIsAConnectionError() {
    JsonObject r = fetch("/reset", new JsonObject().put("retries", 0));
    assertResult(r, "connection_error", 1, 2_000);
  }

  @Test
  void retryAfterIsHonouredThenTheFetchSucceeds() {
    JsonObject r = fetch("/retry-after/1", new JsonObject());
    assertResult(r, "ok", 2, 5_000);
    assertThat(r.getLong("durationMs")).isGreaterThanOrEqualTo(1_000);
    assertThat(r.getString("sha256")).isEqualTo(TestOrigin.sha256(MisbehavingOrigin.PLAIN));
  }

  @Test
  void tooManyRequestsIsRetriedThenRecorded() {
    JsonObject r = fetch("/too-many", new JsonObject().put("retries", 2));
    assertResult(r, "http_error", 3, 5_000);
    assertThat(r.getInteger("httpStatus")).isEqualTo(429);
  }

  @Test
  void aRedirectLoopStopsAtTheLimit() {
    JsonObject r = fetch("/loop", new JsonObject().put("redirects", 3));
    assertResult(r, "too_many_redirects", 1, 2_000);
    JsonObject notFollowed = fetch("/loop", new JsonObject().put("redirects", 0));
    assertResult(notFollowed, "http_error", 1, 2_000);
    assertThat(notFollowed.getInteger("httpStatus")).isEqualTo(302);
    assertResult(fetch("/to-ok", new JsonObject()), "ok", 1, 2_000);
  }

  @Test
  void aRedirectToTheMetadataAddressIsRefused() {
    JsonObject r = fetch("/to-metadata", new JsonObject());
    assertResult(r, "refused_address", 1, 2_000);
  }

  @Test
  void privateAddressesAreRefusedWithoutAConnection() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      urls.add("http://10.255." + (i / 250) + "." + (i % 250 + 1) + "/x" + i); // never contacted: refused first
    }
    urls.add("http://[::ffff:169.254.169.254]/latest/meta-data/");
    String id = running.api.submit(new JsonObject().put("urls", urls).put("concurrency", 500).put("perHost", 500));
    JsonObject job = running.api.awaitEnd(id, Duration.ofSeconds(30));
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getInteger("failed")).isEqualTo(3_001);
    assertThat(running.api.results(id)).allSatisfy(r -> {
      assertThat(r.getString("outcome")).isEqualTo("refused_address");
      assertThat(r.getInteger("attempts")).isEqualTo(1);
    });
  }

  @Test
  void anEndlessBodyStopsAtTheCap() {
    long cap = 4L << 20;
    JsonObject r = fetch("/endless", new JsonObject().put("maxBodyBytes", cap).put("retries", 0));
    assertResult(r, "too_large", 1, 10_000);
    // The misbehaving stopped being read soon after the cap: nothing was buffered beyond socket buffers.
    assertThat(misbehaving.endlessBytesSent()).isLessThan(cap + (32L << 20));
  }

  @Test
  void gzipIsDecodedOnlyWhenAsked() {
    JsonObject decoded = fetch("/gzip", new JsonObject().put("decode", true));
    assertResult(decoded, "ok", 1, 2_000);
    assertThat(decoded.getBoolean("decoded")).isTrue();
    assertThat(decoded.getLong("bytes")).isEqualTo(MisbehavingOrigin.PLAIN.length);
    assertThat(decoded.getString("sha256")).isEqualTo(TestOrigin.sha256(MisbehavingOrigin.PLAIN));

    JsonObject raw = fetch("/gzip", new JsonObject());
    byte[] gz = MisbehavingOrigin.gzip(MisbehavingOrigin.PLAIN);
    assertThat(raw.getBoolean("decoded")).isFalse();
    assertThat(raw.getLong("bytes")).isEqualTo(gz.length);
    assertThat(raw.getString("sha256")).isEqualTo(TestOrigin.sha256(gz));
  }

  @Test
  void chunkedAndCloseDelimitedBodiesAreReadWhole() {
    for (String path : List.of("/chunked", "/http10")) {
      JsonObject r = fetch(path, new JsonObject());
      assertResult(r, "ok", 1, 2_000);
      assertThat(r.getLong("bytes")).as(path).isEqualTo(MisbehavingOrigin.PLAIN.length);
      assertThat(r.getString("sha256")).as(path).isEqualTo(TestOrigin.sha256(MisbehavingOrigin.PLAIN));
    }
  }

  @Test
  void aServerThatDoesNotSpeakHttpIsAConnectionError() {
    JsonObject r = fetch("/garbage", new JsonObject().put("retries", 0));
    assertResult(r, "connection_error", 1, 2_000);
  }

  @Test
  void noHostSeesMoreThanPerHostConnections() {
    MisbehavingOrigin host = await(MisbehavingOrigin.start(running.vertx)); // a host no other test has touched
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      urls.add(host.url("/hold/" + i + "?ms=50"));
    }
    String id = running.api.submit(new JsonObject().put("urls", urls).put("concurrency", 40).put("perHost", 3));
    assertThat(running.api.awaitEnd(id, Duration.ofSeconds(60)).getInteger("succeeded")).isEqualTo(40);
    assertThat(host.maxConcurrentRequests()).isBetween(2, 3);
    await(host.close());
  }

  @Test
  void cancellingAbortsInFlightRequestsWithin100ms() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      urls.add(misbehaving.url("/silent?n=" + i));
    }
    int before = misbehaving.openConnections();
    String id = running.api.submit(new JsonObject().put("urls", urls).put("concurrency", 5).put("perHost", 5)
        .put("timeouts", new JsonObject().put("responseMs", 60_000)));
    await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(10), 20,
        () -> Future.succeededFuture(misbehaving.openConnections() >= before + 5)), Duration.ofSeconds(15));

    long sent = System.nanoTime();
    HttpResponse<Buffer> cancelled = running.api.delete("/api/jobs/" + id);
    assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);
    assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(5), 5,
        () -> Future.succeededFuture(misbehaving.openConnections() == before)), Duration.ofSeconds(10));
    assertThat((misbehaving.lastClosedNanos() - sent) / 1_000_000).isLessThan(100);

    List<JsonObject> results = running.api.results(id);
    assertThat(results).hasSize(20).allSatisfy(r -> assertThat(r.getString("outcome")).isEqualTo("cancelled"));
    JsonObject job = running.api.job(id);
    assertThat(job.getInteger("completed")).isEqualTo(20);
    assertThat(job.getInteger("failed")).isEqualTo(20);

    HttpResponse<Buffer> again = running.api.delete("/api/jobs/" + id);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.getHeader("content-type")).isEqualTo("application/problem+json");
  }

  @Test
  void aJobPastItsDeadlineFails() {
    String id = running.api.submit(new JsonObject().put("urls", new JsonArray().add(misbehaving.url("/silent?deadline")))
        .put("timeouts", new JsonObject().put("deadlineMs", 500).put("responseMs", 60_000)));
    JsonObject job = running.api.awaitEnd(id, Duration.ofSeconds(10));
    assertThat(job.getString("status")).isEqualTo("failed");
    assertThat(running.api.results(id)).singleElement()
        .satisfies(r -> assertThat(r.getString("outcome")).isEqualTo("timeout_total"));
  }

  @Test
  void mirrorFilesAreCompleteAndNoPartialFileIsLeft() throws Exception {
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      urls.add(running.origin.url("/obj/" + n));
    }
    urls.add(misbehaving.url("/reset"));
    String id = running.api.submit(new JsonObject().put("urls", urls).put("body", "mirror").put("retries", 0));
    assertThat(running.api.awaitEnd(id, Duration.ofSeconds(30)).getString("status")).isEqualTo("done");
    for (JsonObject r : running.api.results(id)) {
      int seq = r.getInteger("seq");
      if (seq < 10) {
        assertThat(r.getString("path")).isEqualTo("mirror/" + id + "/" + seq);
        assertThat(Files.readAllBytes(running.dataDir.resolve(r.getString("path")))).isEqualTo(TestOrigin.object(seq));
      } else {
        assertThat(r.getString("outcome")).isEqualTo("connection_error");
        assertThat(r.getString("path")).isNull();
      }
    }
    try (Stream<Path> files = Files.list(running.dataDir.resolve("mirror").resolve(id))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
          "0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }
    assertThat(running.api.delete("/api/jobs/" + id + "?purge=true").statusCode()).isEqualTo(204);
    assertThat(running.dataDir.resolve("mirror").resolve(id)).doesNotExist();
  }

  @Test
  void cancellingAMirrorJobLeavesNoPartialFile() throws Exception {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      urls.add(misbehaving.url("/trickle?mirror=" + i));
    }
    String id = running.api.submit(new JsonObject().put("urls", urls).put("body", "mirror"));
    Path dir = running.dataDir.resolve("mirror").resolve(id);
    await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(10), 20, () -> Future.succeededFuture(count(dir) == 3)),
        Duration.ofSeconds(15));
    assertThat(running.api.delete("/api/jobs/" + id).statusCode()).isEqualTo(200);
    assertThat(count(dir)).isZero();
  }

  private static long count(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  @Test
  void progressStreamsAsServerSentEventsUntilTheJobEnds() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      urls.add(misbehaving.url("/hold/" + i + "?ms=100"));
    }
    String id = running.api.submit(new JsonObject().put("urls", urls).put("concurrency", 5).put("perHost", 5));
    HttpResponse<Buffer> stream = running.api.get("/api/jobs/" + id + "/events");
    assertThat(stream.getHeader("content-type")).isEqualTo("text/event-stream");
    List<JsonObject> events = new ArrayList<>();
    for (String line : stream.bodyAsString().split("\n")) {
      if (line.startsWith("data: ")) {
        events.add(new JsonObject(line.substring(6)));
      }
    }
    assertThat(events.size()).isGreaterThanOrEqualTo(3);
    JsonObject last = events.get(events.size() - 1);
    assertThat(last.getBoolean("final")).isTrue();
    assertThat(last.getString("status")).isEqualTo("done");
    assertThat(last.getInteger("completed")).isEqualTo(30);
    assertThat(events.subList(0, events.size() - 1)).allSatisfy(e -> assertThat(e.getBoolean("final")).isFalse());
  }
}
