package dev.fetchbus.verticles.fetch;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.testing.MisbehavingOrigin;
import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A job run's scheduling, through the fetch verticle deployed alone with the in-memory store ({@link MemoryStore}),
 * as {@link FetchVerticleAloneTest} runs it, against loopback origins. Covered: what a host is (scheme and
 * authority); the per-host limit holds on every host while the job's concurrency is reached across hosts (origins on
 * distinct ports, which are distinct hosts, holding their requests until released and counting them); and a cancel
 * in the middle of a job: the requests in flight are aborted (the origin sees their connections go), the results
 * finished before are stored, every other URL is marked cancelled, and the job ends cancelled.
 */
class JobRunTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private Vertx vertx;
  private MemoryStore store;
  private Path dataDir;
  private String fetcher;

  @BeforeEach
  void start() throws IOException {
    vertx = StrictVertx.create();
    store = new MemoryStore();
    dataDir = Files.createTempDirectory("fetchbus-jobrun-");
  }

  @AfterEach
  void stop() throws IOException {
    StrictVertx.close(vertx, fetcher, dataDir);
  }

  @Test
  void hostsAreCountedBySchemeAndAuthority() {
    assertThat(JobRun.hostOf("http://Example.org/a?b")).isEqualTo("http://example.org");
    assertThat(JobRun.hostOf("https://example.org:8443")).isEqualTo("https://example.org:8443");
    assertThat(JobRun.hostOf("http://user:pw@example.org#x")).isEqualTo("http://example.org");
    assertThat(JobRun.hostOf("http://[::1]:8080/x")).isEqualTo("http://[::1]:8080");
    assertThat(JobRun.hostOf("http://a:80/x")).isEqualTo(JobRun.hostOf("http://a/y"));
    assertThat(JobRun.hostOf("https://a:443")).isEqualTo(JobRun.hostOf("https://a/"));
    assertThat(JobRun.hostOf("http://a/")).isNotEqualTo(JobRun.hostOf("https://a/"));
    assertThat(JobRun.hostOf("http://127.0.0.1:8001/x")).isNotEqualTo(JobRun.hostOf("http://127.0.0.1:8002/x"));
  }

  @Test
  void thePerHostLimitHoldsOnEveryHostWhileTheJobsConcurrencyIsReachedAcrossHosts() {
    int concurrency = 5;
    int perHost = 2;
    AtomicInteger allNow = new AtomicInteger();
    AtomicInteger allMost = new AtomicInteger();
    List<HoldingOrigin> hosts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      hosts.add(await(HoldingOrigin.start(vertx, allNow, allMost)));
    }
    List<String> urls = new ArrayList<>();
    for (HoldingOrigin host : hosts) {
      IntStream.range(0, 8).forEach(n -> urls.add(host.url("/held/" + n)));
    }
    String id = UUID.randomUUID().toString();
    MemoryStore.Job job = store.add(id, options(concurrency, perHost), urls);
    Future<JsonObject> finalEvent = finalEvent(id);
    startFetcher();
    run(id);

    await(StrictVertx.eventually(vertx, WAIT, 10, () -> Future.succeededFuture(allNow.get() == concurrency)));
    List<Integer> heldPerHost = hosts.stream().map(HoldingOrigin::now).sorted().toList();
    assertThat(heldPerHost).as("the job's %d in flight, at most %d per host", concurrency, perHost)
        .containsExactly(1, 2, 2);

    hosts.forEach(HoldingOrigin::release);
    JsonObject last = await(finalEvent, WAIT);
    assertThat(last.getString("status")).isEqualTo("done");
    assertThat(job.results.values()).hasSize(urls.size()).allMatch(r -> r.outcome() == Outcome.OK);
    for (HoldingOrigin host : hosts) {
      assertThat(host.most()).as("most at once on port %d over the whole job", host.port()).isLessThanOrEqualTo(perHost);
      assertThat(host.served()).isEqualTo(8);
    }
    assertThat(allMost.get()).as("most at once across hosts").isEqualTo(concurrency);
  }

  @Test
  void aCancelAbortsWhatIsInFlightKeepsWhatFinishedAndMarksTheRestCancelled() throws Exception {
    TestOrigin fast = await(TestOrigin.start(vertx));
    MisbehavingOrigin slow = await(MisbehavingOrigin.start(vertx));
    int finished = 4;
    int concurrency = 4;
    List<String> urls = new ArrayList<>();
    IntStream.range(0, finished).forEach(n -> urls.add(fast.url("/obj/" + n)));
    // Held for a minute: only an abort ends them within the test.
    IntStream.range(finished, 12).forEach(n -> urls.add(slow.url("/hold/" + n + "?ms=60000")));
    String id = UUID.randomUUID().toString();
    MemoryStore.Job job = store.add(id, options(concurrency, concurrency), urls);
    Future<JsonObject> finalEvent = finalEvent(id);
    startFetcher();
    run(id);

    await(StrictVertx.eventually(vertx, WAIT, 10, () -> Future.succeededFuture(slow.openConnections() == concurrency)));
    JsonObject cancelled = await(vertx.eventBus().<JsonObject>request(FetchApi.CANCEL.address(),
        new JsonObject().put("id", id))).body();

    assertThat(cancelled.getString("status")).isEqualTo("cancelled");
    assertThat(cancelled.getInteger("completed")).isEqualTo(urls.size());
    assertThat(cancelled.getInteger("succeeded")).isEqualTo(finished);
    assertThat(cancelled.getInteger("failed")).isEqualTo(urls.size() - finished);
    assertThat(await(finalEvent, WAIT).getString("status")).isEqualTo("cancelled");
    assertThat(job.status).isEqualTo(JobStatus.CANCELLED);
    for (int seq = 0; seq < finished; seq++) {
      FetchResult result = job.results.get(seq);
      assertThat(result.outcome()).as("seq %d, finished before the cancel", seq).isEqualTo(Outcome.OK);
      assertThat(result.sha256()).isEqualTo(TestOrigin.sha256(TestOrigin.object(seq)));
      assertThat(job.sent.get(seq)).as("seq %d stored once", seq).isEqualTo(1);
    }
    for (int seq = finished; seq < urls.size(); seq++) {
      assertThat(job.results.get(seq).outcome()).as("seq %d", seq).isEqualTo(Outcome.CANCELLED);
    }
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(10), 10,
        () -> Future.succeededFuture(slow.openConnections() == 0)));
    int requested = IntStream.range(finished, 12).map(n -> slow.hits("/hold/" + n + "?ms=60000")).sum();
    assertThat(requested).as("only those in flight were ever requested").isEqualTo(concurrency);
  }

  private JobOptions options(int concurrency, int perHost) {
    return JobOptions.fromJson(JobOptions.defaults().toJson().put("concurrency", concurrency).put("perHost", perHost)
        .put("retries", 0));
  }

  /** The store on a context of its own, then the fetch verticle, with the origins' range allowed. */
  private void startFetcher() {
    await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        return store.start(vertx);
      }
    }));
    JsonObject all;
    try {
      all = new JsonObject(Files.readString(Path.of("../conf/config.json")));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    all.getJsonObject("fetch").put("allow", new JsonArray().add("127.0.0.0/8"));
    fetcher = await(vertx.deployVerticle(new FetchVerticle(), new DeploymentOptions().setConfig(new JsonObject()
        .put("dataDir", dataDir.toString()).put("fetch", all.getJsonObject("fetch"))
        .put("outbox", all.getJsonObject("outbox")))));
  }

  private void run(String id) {
    JsonObject accepted = await(vertx.eventBus().<JsonObject>request(FetchApi.RUN.address(),
        new JsonObject().put("id", id))).body();
    assertThat(accepted.getBoolean("accepted")).isTrue();
  }

  /** The job's last progress event ({"final": true}). */
  private Future<JsonObject> finalEvent(String id) {
    Promise<JsonObject> last = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(FetchApi.progress(id).address(), event -> {
      if (event.body().getBoolean("final", false)) {
        last.tryComplete(event.body());
      }
    });
    return last.future();
  }

  /**
   * One host (an HTTP server on 127.0.0.1, its own port) that holds every request until {@link #release}, then
   * answers them and those to come at once. It counts the requests it holds or is answering now, the most at once,
   * and (through counters shared by all hosts of a test) the most at once across hosts.
   */
  private static final class HoldingOrigin {
    private final HttpServer server;
    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger allNow;
    private final AtomicInteger allMost;
    private final Queue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean released = new AtomicBoolean();

    private HoldingOrigin(Vertx vertx, AtomicInteger allNow, AtomicInteger allMost) {
      this.allNow = allNow;
      this.allMost = allMost;
      this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(this::arrived);
    }

    static Future<HoldingOrigin> start(Vertx vertx, AtomicInteger allNow, AtomicInteger allMost) {
      HoldingOrigin origin = new HoldingOrigin(vertx, allNow, allMost);
      return origin.server.listen().map(s -> origin);
    }

    String url(String path) {
      return "http://127.0.0.1:" + port() + path;
    }

    int port() {
      return server.actualPort();
    }

    int now() {
      return now.get();
    }

    int most() {
      return most.get();
    }

    int served() {
      return served.get();
    }

    void release() {
      released.set(true);
      answerHeld();
    }

    private void arrived(HttpServerRequest request) {
      most.accumulateAndGet(now.incrementAndGet(), Math::max);
      allMost.accumulateAndGet(allNow.incrementAndGet(), Math::max);
      held.add(request);
      if (released.get()) {
        answerHeld();
      }
    }

    private void answerHeld() {
      for (HttpServerRequest request; (request = held.poll()) != null; ) {
        HttpServerRequest answering = request;
        // Counted out before the answer goes: the client may start its next request as soon as it has it.
        now.decrementAndGet();
        allNow.decrementAndGet();
        served.incrementAndGet();
        answering.response().end(Buffer.buffer("ok " + answering.path()));
      }
    }
  }
}
