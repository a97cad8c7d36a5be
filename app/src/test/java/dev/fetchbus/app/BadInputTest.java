package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of bad input gets a problem+json answer with the right status and type, and writes nothing. */
class BadInputTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.started();

  @AfterEach
  void nothingWasWritten() throws Exception {
    assertThat(running.app.jobRows()).isZero();
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(delimiter = '|', value = {
      "{\"urls\": [                                     | 400 | invalid-json",
      "[\"http://a/\"]                                  | 400 | invalid-json",
      "''                                               | 400 | invalid-json",
      "{}                                               | 400 | missing-urls",
      "{\"urls\": []}                                   | 400 | missing-urls",
      "{\"urls\": \"http://a/\"}                        | 400 | missing-urls",
      "{\"urls\": [42]}                                 | 400 | invalid-url",
      "{\"urls\": [\"ftp://a/file\"]}                   | 400 | invalid-url",
      "{\"urls\": [\"not a url\"]}                      | 400 | invalid-url",
      "{\"urls\": [\"http://\"]}                        | 400 | invalid-url",
      "{\"urls\": [\"http://ok/\", \"file:///etc/passwd\"]} | 400 | invalid-url",
      "{\"urls\": [\"http://a/\"], \"concurrency\": 0}  | 400 | invalid-option",
      "{\"urls\": [\"http://a/\"], \"concurrency\": 1025} | 400 | invalid-option",
      "{\"urls\": [\"http://a/\"], \"concurrency\": \"x\"} | 400 | invalid-option",
      "{\"urls\": [\"http://a/\"], \"concurency\": 5}   | 400 | unknown-field",
  })
  void refusesABadJob(String body, int status, String slug) {
    assertProblem(running.api.post("/api/jobs", "application/json", Buffer.buffer(body)), status, slug);
  }

  @Test
  void refusesMoreThan100000Urls() {
    JsonArray urls = new JsonArray();
    for (int i = 0; i <= 100_000; i++) {
      urls.add("http://a/" + i);
    }
    assertProblem(running.api.post("/api/jobs", "application/json", new JsonObject().put("urls", urls).toBuffer()),
        400, "too-many-urls");
  }

  @Test
  void refusesABodyOver8MiB() {
    String big = "{\"urls\": [\"http://a/" + "x".repeat(9 * 1024 * 1024) + "\"]}";
    assertProblem(running.api.post("/api/jobs", "application/json", Buffer.buffer(big)), 413, "body-too-large");
  }

  @Test
  void refusesANonJsonContentType() {
    assertProblem(running.api.post("/api/jobs", "text/plain", Buffer.buffer("{\"urls\": [\"http://a/\"]}")),
        415, "unsupported-media-type");
  }

  @Test
  void unknownJobsAreNotFound() {
    assertProblem(running.api.get("/api/jobs/" + UUID.randomUUID()), 404, "not-found");
    assertProblem(running.api.get("/api/jobs/" + UUID.randomUUID() + "/results"), 404, "not-found");
  }

  @Test
  void aJobIdThatIsNotAUuidIsABadRequest() {
    // Refused by docs/openapi.yaml before any lookup, naming the parameter.
    assertProblem(running.api.get("/api/jobs/not-a-uuid"), 400, "invalid-request");
  }

  @Test
  void unknownRoutesAndMethodsAreProblems() {
    assertProblem(running.api.get("/nowhere"), 404, "not-found");
    assertProblem(running.api.post("/hello", "text/plain", Buffer.buffer("x")), 405, "method-not-allowed");
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status, String slug) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("type")).isEqualTo("urn:fetchbus:problem:" + slug);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("title")).isNotBlank();
  }
}
