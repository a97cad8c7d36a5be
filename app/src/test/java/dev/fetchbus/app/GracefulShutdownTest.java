package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SIGTERM under load, the service a real child process: 200 clients keep {@code GET /hello?delay=200ms} in flight
 * while a job runs; after the TERM every request sent before it gets its whole response, the process exits 0, and
 * the job, resumed by the next start, ends with exactly one result per URL.
 */
class GracefulShutdownTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();
  private static final int CLIENTS = 200;
  private static final long LOAD_BEFORE_TERM_MS = 2_000;
  private static final long LOAD_AFTER_TERM_MS = 3_000;
  private static final int URLS = 2_000;
  private static final String HELLO = "Hello, Anonymous";

  /** What became of the requests, split by whether they were written to the socket before the TERM. */
  private static final class Tally {
    final AtomicLong termNanos = new AtomicLong(Long.MAX_VALUE);
    final AtomicInteger completeBefore = new AtomicInteger();
    final AtomicInteger inFlightAtTerm = new AtomicInteger();
    final AtomicInteger completeAfter = new AtomicInteger();
    final AtomicInteger failedAfter = new AtomicInteger();
    final Map<String, Integer> failedBefore = new ConcurrentHashMap<>();
    final Map<String, Integer> failuresAfter = new ConcurrentHashMap<>();
    final Map<Integer, Integer> readiness = new ConcurrentHashMap<>();

    boolean termed() {
      return termNanos.get() != Long.MAX_VALUE;
    }

    @Override
    public String toString() {
      return "complete before TERM " + completeBefore + " (in flight at TERM " + inFlightAtTerm + "), failed before "
          + failedBefore + "; after TERM: complete " + completeAfter + ", failed " + failedAfter + " " + failuresAfter
          + "; /health/ready after TERM: " + readiness;
    }
  }

  @Test
  void sigtermUnderLoadAnswersEverySentRequestExitsZeroAndTheJobResumes() throws Exception {
    int port = TestApp.freePort();
    String base = "http://127.0.0.1:" + port;
    WebClient api = WebClient.create(running.vertx);
    HttpClientAgent load = running.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(CLIENTS).setMaxWaitQueueSize(CLIENTS));
    List<String> urls = IntStream.range(0, URLS).mapToObj(n -> running.origin.url("/slow/" + n + "?ms=100")).toList();
    Tally tally = new Tally();

    Map<String, String> env = Map.of("FETCHBUS_HTTP_PORT", Integer.toString(port));
    ChildService first = ChildService.launch(running.dataDir, "graceful-shutdown-first", env, List.of());
    String id;
    try {
      first.awaitReady(running.vertx, api);
      // One request through the load client first: its write path loads classes the first time (Netty's progress
      // promises), which on a cold JVM beside a starting child holds an event loop for a few hundred ms.
      await(load.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/hello"))
          .compose(request -> request.send().compose(response -> response.body())));
      // Encoded here, not on an event loop: the first large encode in a cold JVM, beside a starting child, is slow.
      Buffer job = new JsonObject().put("urls", urls).put("concurrency", 20).put("perHost", 20).toBuffer();
      id = await(api.postAbs(base + "/api/jobs").putHeader("content-type", "application/json").sendBuffer(job))
          .bodyAsJsonObject().getString("id");
      await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(30), 50, () -> api.getAbs(base + "/api/jobs/" + id)
          .send().map(r -> r.bodyAsJsonObject().getInteger("completed") >= 50)), Duration.ofSeconds(35));

      long stopAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOAD_BEFORE_TERM_MS + LOAD_AFTER_TERM_MS);
      List<Future<Void>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        Promise<Void> done = Promise.promise();
        running.vertx.runOnContext(v -> hello(load, port, tally, stopAt, done));
        clients.add(done.future());
      }
      // The load runs on its own; this only times the TERM.
      await(Future.future(timed -> running.vertx.setTimer(LOAD_BEFORE_TERM_MS, t -> timed.complete())));
      tally.termNanos.set(System.nanoTime());
      first.process.destroy(); // SIGTERM
      Promise<Void> readinessDone = Promise.promise();
      pollReadiness(api, base, tally, stopAt, readinessDone);

      assertThat(first.process.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s of the TERM").isTrue();
      assertThat(first.process.exitValue()).isZero();
      await(Future.join(clients), Duration.ofSeconds(30));
      await(readinessDone.future(), Duration.ofSeconds(30));
    } finally {
      first.close();
      await(load.close());
    }
    System.out.println("graceful shutdown under load: " + tally);
    assertThat(tally.failedBefore).as(tally.toString()).isEmpty();
    assertThat(tally.completeBefore.get()).as(tally.toString()).isGreaterThan(CLIENTS);
    // The TERM came while requests were in flight, and they were answered, not cut off.
    assertThat(tally.inFlightAtTerm.get()).as(tally.toString()).isGreaterThan(0);

    ChildService second = ChildService.launch(running.dataDir, "graceful-shutdown-second", env, List.of());
    try {
      second.awaitReady(running.vertx, api);
      JsonObject resumed = await(api.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(resumed.getInteger("completed")).as("left unfinished by the stop").isLessThan(URLS);
      await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(90), 100, () -> api.getAbs(base + "/api/jobs/" + id)
          .send().map(r -> r.bodyAsJsonObject().getString("status").equals("done"))), Duration.ofSeconds(95));
      JsonObject done = await(api.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(done.getInteger("succeeded")).isEqualTo(URLS);
      second.assertOneResultPerUrl(api, id, URLS);
      assertThat(second.terminate()).isZero();
    } finally {
      second.close();
      api.close();
    }
  }

  /**
   * One client: a request, and when it has ended the next, until {@code stopAt}; after the TERM it stops at its
   * first failure (the listener is gone, retrying only spins).
   */
  private static void hello(HttpClientAgent load, int port, Tally tally, long stopAt, Promise<Void> done) {
    if (System.nanoTime() > stopAt) {
      done.complete();
      return;
    }
    AtomicLong writtenAt = new AtomicLong(Long.MAX_VALUE);
    load.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
            .setURI("/hello?delay=200ms").setIdleTimeout(15_000).setConnectTimeout(5_000))
        .compose(request -> {
          request.end().onSuccess(v -> writtenAt.set(System.nanoTime()));
          return request.response();
        })
        .compose(response -> response.body().map(body -> response.statusCode() + " " + body))
        .onComplete(ar -> {
          boolean before = writtenAt.get() < tally.termNanos.get();
          boolean ok = ar.succeeded() && ar.result().equals("200 " + HELLO);
          String what = ar.succeeded() ? ar.result() : ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage();
          if (before && ok) {
            tally.completeBefore.incrementAndGet();
            if (tally.termed()) {
              tally.inFlightAtTerm.incrementAndGet();
            }
          } else if (before) {
            tally.failedBefore.merge(what, 1, Integer::sum);
          } else if (ok) {
            tally.completeAfter.incrementAndGet();
          } else {
            tally.failedAfter.incrementAndGet();
            tally.failuresAfter.merge(what.replaceAll("[0-9]+", "#"), 1, Integer::sum);
            done.complete();
            return;
          }
          hello(load, port, tally, stopAt, done);
        });
  }

  /** Asks /health/ready every 5 ms from the TERM on, until the server is gone, counting the statuses seen. */
  private static void pollReadiness(WebClient api, String base, Tally tally, long stopAt, Promise<Void> done) {
    api.getAbs(base + "/health/ready").timeout(5_000).send().onComplete(ar -> {
      if (ar.failed() || System.nanoTime() > stopAt) {
        done.complete();
        return;
      }
      tally.readiness.merge(ar.result().statusCode(), 1, Integer::sum);
      running.vertx.setTimer(5, t -> pollReadiness(api, base, tally, stopAt, done));
    });
  }
}
