package dev.fetchbus.verticles.fetch;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.UrlRef;
import dev.fetchbus.verticles.guard.AddressGuard;
import dev.fetchbus.verticles.guard.Cidr;
import dev.fetchbus.verticles.retry.Backoff;
import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every attempt at one URL ({@link UrlFetch} over {@link Attempt}, with the {@link RetryPolicy} the fetch verticle
 * builds), against a real loopback origin that fails on cue: a 503, a connection reset mid-body and one closed
 * before any answer are retried, and the result is the last attempt's with the number of attempts made; a 404 is not
 * retried; retries stop at the job's {@code retries}; a Retry-After is waited for; an abort during the wait for a
 * retry ends the fetch at once as cancelled. The origin counts the requests it got, so a retry too many or too few
 * shows.
 */
class UrlFetchTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final byte[] BODY = "the body after the retries\n".repeat(100).getBytes(StandardCharsets.US_ASCII);

  private Vertx vertx;
  private Context context;
  private FetchContext fetchContext;
  private FlakyOrigin origin;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    context = vertx.getOrCreateContext();
    // Small backoff so retries come quickly; Retry-After capped at 10 s.
    RetryPolicy retry = new RetryPolicy(new Backoff(20, 50), 10_000);
    fetchContext = new FetchContext(vertx, vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)),
        new AddressGuard(Cidr.parseAll(List.of("127.0.0.0/8"))), new HostResolver(vertx), retry, "Fetchbus-test",
        null, null, err -> { }); // no mirror: nothing is stored
    origin = await(FlakyOrigin.start(vertx));
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  @Test
  void transientFailuresAreRetriedAndTheResultIsTheOkAfterThem() {
    origin.script("/flaky", "503", "reset", "close", "200");
    FetchResult result = await(fetch(options(3), origin.url("/flaky")), WAIT);

    assertThat(result.outcome()).isEqualTo(Outcome.OK);
    assertThat(result.httpStatus()).isEqualTo(200);
    assertThat(result.attempts()).isEqualTo(4);
    assertThat(result.bytes()).isEqualTo(BODY.length);
    assertThat(result.sha256()).isEqualTo(TestOrigin.sha256(BODY));
    assertThat(origin.hits("/flaky")).isEqualTo(4);
  }

  @Test
  void aPermanent404IsNotRetried() {
    origin.script("/missing", "404", "200");
    FetchResult result = await(fetch(options(3), origin.url("/missing")), WAIT);

    assertThat(result.outcome()).isEqualTo(Outcome.HTTP_ERROR);
    assertThat(result.httpStatus()).isEqualTo(404);
    assertThat(result.attempts()).isEqualTo(1);
    assertThat(origin.hits("/missing")).isEqualTo(1);
  }

  @Test
  void retriesStopAtTheJobsMaximum() {
    origin.script("/down", "503");
    origin.script("/reset", "reset");
    origin.script("/once", "503", "200");

    FetchResult down = await(fetch(options(2), origin.url("/down")), WAIT);
    assertThat(down.outcome()).isEqualTo(Outcome.HTTP_ERROR);
    assertThat(down.httpStatus()).isEqualTo(503);
    assertThat(down.attempts()).as("the first attempt and 2 retries").isEqualTo(3);
    assertThat(origin.hits("/down")).isEqualTo(3);

    FetchResult reset = await(fetch(options(1), origin.url("/reset")), WAIT);
    assertThat(reset.outcome()).isEqualTo(Outcome.CONNECTION_ERROR);
    assertThat(reset.attempts()).isEqualTo(2);
    assertThat(origin.hits("/reset")).isEqualTo(2);

    FetchResult once = await(fetch(options(0), origin.url("/once")), WAIT);
    assertThat(once.outcome()).as("retries 0: the first answer is the result").isEqualTo(Outcome.HTTP_ERROR);
    assertThat(once.attempts()).isEqualTo(1);
    assertThat(origin.hits("/once")).isEqualTo(1);
  }

  @Test
  void aRetryAfterIsWaitedForBeforeTheNextAttempt() {
    origin.script("/busy", "503 retry-after=1", "200");
    FetchResult result = await(fetch(options(2), origin.url("/busy")), WAIT);

    assertThat(result.outcome()).isEqualTo(Outcome.OK);
    assertThat(result.attempts()).isEqualTo(2);
    List<Long> arrivals = origin.arrivals("/busy");
    assertThat(arrivals).hasSize(2);
    assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0))).as("the server asked for 1 s")
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
  }

  @Test
  void anAbortWhileWaitingToRetryEndsTheFetchAsCancelledAtOnce() {
    origin.script("/later", "503 retry-after=9", "200");
    UrlFetch fetch = await(onContext(() -> new UrlFetch(fetchContext, options(3), new UrlRef(7, origin.url("/later")))));
    Future<FetchResult> result = onContext(fetch::start).compose(f -> f);
    await(StrictVertx.eventually(vertx, WAIT, 10, () -> Future.succeededFuture(origin.hits("/later") == 1)));
    long abortedAt = System.nanoTime();
    context.runOnContext(v -> fetch.abort());

    FetchResult cancelled = await(result, Duration.ofSeconds(5));
    assertThat(cancelled.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(cancelled.seq()).isEqualTo(7);
    assertThat(cancelled.attempts()).isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - abortedAt)).as("not after the 9 s Retry-After")
        .isLessThan(Duration.ofSeconds(5));
    assertThat(origin.hits("/later")).as("no attempt after the abort").isEqualTo(1);
  }

  private static JobOptions options(int retries) {
    return JobOptions.fromJson(new JsonObject().put("retries", retries).put("timeouts", new JsonObject()
        .put("connectMs", 5_000).put("responseMs", 5_000).put("idleMs", 5_000).put("totalMs", 10_000)));
  }

  /** Starts a fetch on the test's context (timers and client callbacks run there, as in a job run). */
  private Future<FetchResult> fetch(JobOptions options, String url) {
    return onContext(() -> new UrlFetch(fetchContext, options, new UrlRef(0, url)).start()).compose(f -> f);
  }

  private <T> Future<T> onContext(java.util.function.Supplier<T> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> done.complete(action.get()));
    return done.future();
  }

  /**
   * An origin on 127.0.0.1, on raw TCP so it can cut connections: each path answers from its script, one step per
   * request (the last step repeats): a status ("503", "404", "503 retry-after=N") with an empty body, "200" with
   * {@link #BODY}, "reset" (a 200 promising 100000 bytes, cut after 1000) or "close" (no answer at all). It counts
   * requests and keeps their arrival times (System.nanoTime) per path. Every answer closes its connection.
   */
  private static final class FlakyOrigin {
    private final NetServer server;
    private final Map<String, List<String>> scripts = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();

    private FlakyOrigin(NetServer server) {
      this.server = server;
    }

    static Future<FlakyOrigin> start(Vertx vertx) {
      FlakyOrigin[] self = new FlakyOrigin[1];
      NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
          .connectHandler(socket -> self[0].accept(socket));
      self[0] = new FlakyOrigin(server);
      return server.listen().map(s -> self[0]);
    }

    void script(String path, String... steps) {
      scripts.put(path, List.of(steps));
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.actualPort() + path;
    }

    int hits(String path) {
      return arrivals(path).size();
    }

    List<Long> arrivals(String path) {
      return List.copyOf(arrivals.getOrDefault(path, List.of()));
    }

    private void accept(NetSocket socket) {
      Buffer head = Buffer.buffer();
      boolean[] answered = {false};
      socket.handler(data -> {
        head.appendBuffer(data);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        if (answered[0] || !text.contains("\r\n\r\n")) {
          return;
        }
        answered[0] = true;
        String path = text.substring(text.indexOf(' ') + 1, text.indexOf(' ', text.indexOf(' ') + 1));
        List<Long> seen = arrivals.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>());
        seen.add(System.nanoTime());
        List<String> script = scripts.getOrDefault(path, List.of("404"));
        answer(socket, script.get(Math.min(seen.size(), script.size()) - 1));
      });
    }

    private static void answer(NetSocket socket, String step) {
      switch (step) {
        case "200" -> socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length
            + "\r\nConnection: close\r\n\r\n").appendBytes(BODY)).onComplete(v -> socket.close());
        case "reset" -> socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n")
            .appendBytes(new byte[1000])).onComplete(v -> socket.close());
        case "close" -> socket.close();
        default -> {
          String[] parts = step.split(" ");
          String retryAfter = parts.length > 1 ? "Retry-After: " + parts[1].substring("retry-after=".length()) + "\r\n"
              : "";
          socket.write("HTTP/1.1 " + parts[0] + " Whatever\r\n" + retryAfter
              + "Content-Length: 0\r\nConnection: close\r\n\r\n").onComplete(v -> socket.close());
        }
      }
    }
  }
}
