package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.fetchbus.verticles.fetch.OutboxPoller;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A callback that can never be delivered is refused at submission when its host is a refused literal address, and
 * given up at its first attempt when the answer or the resolved address will not change; one that may pass is
 * retried until delivered. The job's view says which, with the attempts and the last error.
 */
class CallbackTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.started();

  private static HttpServer receiver;
  private static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private static final List<JsonObject> delivered = new CopyOnWriteArrayList<>();
  private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private static final Logger pollerLog = (Logger) LoggerFactory.getLogger(OutboxPoller.class);

  /** {@code /redirect} answers 302, {@code /missing} 404, {@code /flaky} 503 twice and then 204, others 204. */
  @BeforeAll
  static void start() {
    logs.start();
    pollerLog.addAppender(logs);
    receiver = await(running.vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> request.body().onSuccess(body -> {
          int hit = hits.computeIfAbsent(request.path(), p -> new AtomicInteger()).incrementAndGet();
          switch (request.path()) {
            case "/redirect" -> request.response().setStatusCode(302).putHeader("location", "/ok").end();
            case "/missing" -> request.response().setStatusCode(404).end();
            case "/flaky" -> {
              if (hit <= 2) {
                request.response().setStatusCode(503).end();
              } else {
                delivered.add(body.toJsonObject());
                request.response().setStatusCode(204).end();
              }
            }
            default -> {
              delivered.add(body.toJsonObject());
              request.response().setStatusCode(204).end();
            }
          }
        }))
        .listen());
  }

  @AfterAll
  static void stop() {
    pollerLog.detachAppender(logs);
  }

  private static String callback(String host, String path) {
    return "http://" + host + ":" + receiver.actualPort() + path;
  }

  private static String submit(Api api, String callbackUrl) {
    return api.submit(new JsonObject().put("urls", new JsonArray().add(running.origin.url("/obj/1")))
        .put("callbackUrl", callbackUrl));
  }

  private static JsonObject awaitCallback(Api api, String id, String state) {
    return api.awaitJob(id, Duration.ofSeconds(20), job -> job.getJsonObject("callback") != null
        && state.equals(job.getJsonObject("callback").getString("state"))).getJsonObject("callback");
  }

  private static long logLinesAbout(String id) {
    return logs.list.stream().filter(event -> event.getFormattedMessage().contains(id)).count();
  }

  @Test
  void aRedirectOrA404IsGivenUpAtTheFirstAttempt() {
    String redirected = submit(running.api, callback("127.0.0.1", "/redirect"));
    String missing = submit(running.api, callback("127.0.0.1", "/missing"));

    JsonObject afterRedirect = awaitCallback(running.api, redirected, "failed");
    assertThat(afterRedirect.getInteger("attempts")).isEqualTo(1);
    assertThat(afterRedirect.getString("lastError")).contains("302").contains("redirects are not followed");
    assertThat(afterRedirect.getValue("nextAttemptAt")).isNull();
    JsonObject afterMissing = awaitCallback(running.api, missing, "failed");
    assertThat(afterMissing.getInteger("attempts")).isEqualTo(1);
    assertThat(afterMissing.getString("lastError")).contains("404");
    // Given up: the receiver saw one request each, and the log one line each.
    assertThat(hits.get("/redirect").get()).isEqualTo(1);
    assertThat(hits.get("/missing").get()).isEqualTo(1);
    assertThat(logLinesAbout(redirected)).isEqualTo(1);
    assertThat(logLinesAbout(missing)).isEqualTo(1);
  }

  @Test
  void a503IsRetriedUntilDeliveredAndTheViewCountsTheAttempts() {
    String id = submit(running.api, callback("127.0.0.1", "/flaky"));

    JsonObject callback = awaitCallback(running.api, id, "delivered");
    assertThat(callback.getInteger("attempts")).isEqualTo(3);
    assertThat(callback.getValue("lastError")).isNull();
    assertThat(callback.getValue("nextAttemptAt")).isNull();
    assertThat(hits.get("/flaky").get()).isEqualTo(3);
    JsonObject payload = delivered.stream().filter(body -> id.equals(body.getString("id"))).findFirst().orElseThrow();
    assertThat(payload.getString("event")).isEqualTo("job.ended");
    assertThat(payload.containsKey("callback")).isFalse();
    // Two failed attempts within the throttling interval: one line, the second held back.
    assertThat(logLinesAbout(id)).isEqualTo(1);
  }

  @Test
  void aJobWithoutACallbackUrlShowsNoCallback() {
    String id = running.api.submit(List.of(running.origin.url("/obj/2")), 1);
    JsonObject job = running.api.awaitEnd(id, Duration.ofSeconds(20));
    assertThat(job.containsKey("callback")).isTrue();
    assertThat(job.getValue("callback")).isNull();
  }

  @Test
  void withLoopbackNotAllowedRefusedLiteralsAre400AndANameResolvingToLoopbackFailsAtOnce() throws Exception {
    Path dataDir = TestApp.newDataDir();
    try (TestApp app = TestApp.start(dataDir, config -> config.getJsonObject("fetch").put("allow", new JsonArray()))) {
      Api api = new Api(running.vertx, app);
      int port = receiver.actualPort();
      for (String refused : List.of("http://127.0.0.1:" + port + "/cb", "http://[::1]:" + port + "/cb",
          "http://2130706433:" + port + "/cb", "http://0x7f000001/cb", "http://0177.0.0.1/cb", "http://127.1/cb",
          "http://[::ffff:127.0.0.1]/cb", "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/",
          "http://167772161/", "http://[fd00::1]/", "http://1.2.3.4.5/")) {
        HttpResponse<Buffer> response = api.post("/api/jobs", "application/json", new JsonObject()
            .put("urls", new JsonArray().add("http://example.org/")).put("callbackUrl", refused).toBuffer());
        assertThat(response.statusCode()).as(refused).isEqualTo(400);
        assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
        JsonObject problem = response.bodyAsJsonObject();
        assertThat(problem.getString("type")).as(refused).isEqualTo("urn:fetchbus:problem:invalid-option");
        assertThat(problem.getString("detail")).as(refused).startsWith("'callbackUrl' ");
      }
      assertThat(app.jobRows()).isZero();

      // A name passes submission; at delivery it resolves to loopback, which is refused: given up at once.
      String id = submit(api, callback("localhost", "/never"));
      JsonObject callback = awaitCallback(api, id, "failed");
      assertThat(callback.getInteger("attempts")).isEqualTo(1);
      assertThat(callback.getString("lastError")).contains("refused address");
      assertThat(hits.get("/never")).isNull();
      api.close();
    } finally {
      TestApp.delete(dataDir);
    }
  }
}
