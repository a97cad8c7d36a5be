package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.Vertx;

/** Every middleware behaviour over a real loopback connection to the whole service. */
class MiddlewareTest {
  /** A service of its own, for one nested group of tests, on its own data dir. */
  private static TestApp startOwn(java.util.function.Consumer<JsonObject> adjust) throws Exception {
    Path dir = TestApp.newDataDir();
    try {
      return TestApp.start(dir, adjust);
    } catch (Exception e) {
      TestApp.delete(dir);
      throw e;
    }
  }

  private static void stopOwn(TestApp app) throws Exception {
    Path dir = Path.of(app.app.config().getString("dataDir"));
    app.close();
    TestApp.delete(dir);
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> request) {
    return await(request.send());
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status, String slug) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:fetchbus:problem:" + slug);
  }

  /** A service of its own per nested class, configured by {@link #adjust}, with a client. */
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  abstract static class OwnService {
    Vertx vertx;
    TestApp app;
    WebClient client;

    abstract void adjust(JsonObject config);

    @BeforeAll
    void start() throws Exception {
      app = startOwn(this::adjust);
      vertx = StrictVertx.create();
      client = WebClient.create(vertx);
    }

    @AfterAll
    void stop() throws Exception {
      client.close();
      stopOwn(app);
      await(vertx.close());
    }
  }

  /** An open service: no tokens, CORS for one origin, a short request timeout, compression on from 1 byte. */
  @Nested
  class Open extends OwnService {
    @Override
    void adjust(JsonObject config) {
      JsonObject http = config.getJsonObject("http");
      http.put("requestTimeoutMs", 300);
      // /hello is exempt by default (its delay is bounded); here it is the slow route to time out.
      http.put("requestTimeoutExempt", new JsonArray());
      http.getJsonObject("cors").put("allowedOrigins", new JsonArray().add("https://app.example"));
      http.getJsonObject("compression").put("enabled", true).put("minBytes", 1);
    }

    @Test
    void aRequestIdIsGeneratedEchoedAndSanitised() {
      String generated = send(client.getAbs(app.url("/hello"))).getHeader("X-Request-Id");
      String another = send(client.getAbs(app.url("/hello"))).getHeader("X-Request-Id");
      assertThat(generated).isNotBlank().isNotEqualTo(another);
      assertThat(send(client.getAbs(app.url("/api/jobs")).putHeader("X-Request-Id", "trace-42.a:b_c"))
          .getHeader("X-Request-Id")).isEqualTo("trace-42.a:b_c");
      String injected = send(client.getAbs(app.url("/hello")).putHeader("X-Request-Id", "a b\u00e9<script>"))
          .getHeader("X-Request-Id");
      assertThat(injected).isNotEqualTo("a b\u00e9<script>").matches("[A-Za-z0-9._:-]+");
    }

    @Test
    void securityHeadersAreOnEveryResponseErrorsIncluded() {
      for (HttpResponse<Buffer> response : List.of(send(client.getAbs(app.url("/hello"))),
          send(client.getAbs(app.url("/api/jobs"))), send(client.getAbs(app.url("/no/such/route"))))) {
        assertThat(response.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.getHeader("Content-Security-Policy"))
            .isEqualTo("default-src 'none'; frame-ancestors 'none'");
      }
    }

    @Test
    void theDashboardsFilesComeWithThePagePolicyAndNothingElseUnderItsPrefixIsServed() {
      for (String path : List.of("/", "/dashboard/app.js", "/dashboard/app.css", "/dashboard/uplot/uPlot.iife.min.js")) {
        HttpResponse<Buffer> response = send(client.getAbs(app.url(path)));
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        assertThat(response.getHeader("Content-Security-Policy")).as(path)
            .startsWith("default-src 'none'; script-src 'self';").doesNotContain("unsafe");
      }
      for (String path : List.of("/dashboard/..%2F", "/dashboard/..%2Fopenapi%2Fopenapi.yaml", "/dashboard/.hidden",
          "/dashboard/uplot/..%2F..%2FLICENSE", "/dashboard/nothing.js", "/dashboard/", "/dashboard", "/dashboard/uplot",
          "/./dashboard/..%2F")) {
        assertProblem(send(client.getAbs(app.url(path))), 404, "not-found");
      }
    }

    @Test
    void unknownRoutesAndMethodsAreProblems() {
      assertProblem(send(client.getAbs(app.url("/no/such/route"))), 404, "not-found");
      assertProblem(send(client.request(HttpMethod.PUT, app.port, "127.0.0.1", "/api/jobs")), 405,
          "method-not-allowed");
    }

    @Test
    void aSlowRequestGetsA503ProblemAfterTheRequestTimeout() {
      long started = System.nanoTime();
      HttpResponse<Buffer> response = send(client.getAbs(app.url("/hello?delay=3s")));
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertProblem(response, 503, "request-timeout");
      assertThat(tookMs).isBetween(250L, 2_500L);
      // A quick one is untouched.
      assertThat(send(client.getAbs(app.url("/hello?delay=50ms"))).statusCode()).isEqualTo(200);
    }

    @Test
    void corsAnswersPreflightsForTheConfiguredOriginOnly() {
      HttpResponse<Buffer> allowed = send(client.request(HttpMethod.OPTIONS, app.port, "127.0.0.1", "/api/jobs")
          .putHeader("Origin", "https://app.example")
          .putHeader("Access-Control-Request-Method", "POST")
          .putHeader("Access-Control-Request-Headers", "content-type,idempotency-key"));
      assertThat(allowed.statusCode()).isEqualTo(204);
      assertThat(allowed.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
      assertThat(allowed.getHeader("Access-Control-Allow-Methods")).contains("POST");
      assertThat(allowed.getHeader("Access-Control-Allow-Headers").toLowerCase()).contains("idempotency-key");

      HttpResponse<Buffer> simple = send(client.getAbs(app.url("/api/jobs")).putHeader("Origin", "https://app.example"));
      assertThat(simple.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
      assertThat(simple.getHeader("Access-Control-Expose-Headers")).contains("X-Request-Id");

      HttpResponse<Buffer> other = send(client.getAbs(app.url("/api/jobs")).putHeader("Origin", "https://evil.example"));
      assertThat(other.getHeader("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void jsonIsCompressedForClientsThatAskPlainTextAndUnaskedAreNot() {
      HttpResponse<Buffer> gzipped = send(client.getAbs(app.url("/api/jobs?limit=5")).putHeader("Accept-Encoding", "gzip"));
      assertThat(gzipped.getHeader("Content-Encoding")).isEqualTo("gzip");
      HttpResponse<Buffer> plain = send(client.getAbs(app.url("/api/jobs?limit=5")));
      assertThat(plain.getHeader("Content-Encoding")).isNull();
      assertThat(plain.bodyAsJsonObject().getJsonArray("jobs")).isNotNull();
      HttpResponse<Buffer> hello = send(client.getAbs(app.url("/hello")).putHeader("Accept-Encoding", "gzip"));
      assertThat(hello.getHeader("Content-Encoding")).isNull();
      assertThat(hello.bodyAsString()).isEqualTo("Hello, Anonymous");
    }

    @Test
    void theJobBodyLimitIsPerRoute() {
      Buffer big = Buffer.buffer(new byte[app.app.config().getJsonObject("http").getInteger("maxBodyBytes") + 1]);
      assertProblem(await(client.postAbs(app.url("/api/jobs")).putHeader("content-type", "application/json")
          .sendBuffer(big)), 413, "body-too-large");
    }
  }

  /** A service with API tokens and a small rate limit. */
  @Nested
  class WithTokens extends OwnService {
    @Override
    void adjust(JsonObject config) {
      config.getJsonObject("auth")
          .put("tokens", new JsonArray().add("token-for-alice").add("token-for-bob"))
          .put("rateLimit", new JsonObject().put("capacity", 3).put("refillPerSecond", 0.5));
    }

    @Test
    void protectedRoutesNeedAValidToken() {
      for (String path : List.of("/api/jobs", "/ws/jobs/00000000-0000-0000-0000-000000000000", "/admin/monitor")) {
        HttpResponse<Buffer> none = send(client.getAbs(app.url(path)));
        assertProblem(none, 401, "unauthorized");
        assertThat(none.getHeader("WWW-Authenticate")).startsWith("Bearer");
        assertProblem(send(client.getAbs(app.url(path)).putHeader("Authorization", "Bearer token-for-mallory")),
            403, "forbidden");
        assertProblem(send(client.getAbs(app.url(path)).putHeader("Authorization", "Basic dG9rZW4=")), 401,
            "unauthorized");
      }
      HttpResponse<Buffer> right = send(client.getAbs(app.url("/api/jobs"))
          .putHeader("Authorization", "Bearer token-for-alice"));
      assertThat(right.statusCode()).isEqualTo(200);
    }

    @Test
    void publicRoutesStayPublic() {
      assertThat(send(client.getAbs(app.url("/hello"))).statusCode()).isEqualTo(200);
      assertThat(send(client.getAbs(app.url("/health/live"))).statusCode()).isEqualTo(204);
      assertThat(send(client.getAbs(app.url("/health/ready"))).statusCode()).isEqualTo(200);
    }

    @Test
    void eachTokenHasItsOwnBucketAndAnEmptyOneAnswers429WithRetryAfter() {
      List<Integer> statuses = IntStream.range(0, 4).mapToObj(i -> send(client.getAbs(app.url("/api/jobs"))
          .putHeader("Authorization", "Bearer token-for-bob")).statusCode()).toList();
      assertThat(statuses).containsExactly(200, 200, 200, 429);
      HttpResponse<Buffer> limited = send(client.getAbs(app.url("/api/jobs"))
          .putHeader("Authorization", "Bearer token-for-bob"));
      assertProblem(limited, 429, "rate-limited");
      assertThat(Integer.parseInt(limited.getHeader("Retry-After"))).isBetween(1, 2);
      // Alice's bucket is her own.
      assertThat(send(client.getAbs(app.url("/api/jobs")).putHeader("Authorization", "Bearer token-for-alice"))
          .statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aPublicBindWithoutTokensRefusesToStartAndSaysWhy() {
    assertThatThrownBy(() -> startOwn(config -> config.getJsonObject("http").put("host", "0.0.0.0")))
        .hasStackTraceContaining("without API tokens");
  }
}
