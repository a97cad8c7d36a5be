package dev.fetchbus.verticles.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fetchbus.verticles.bus.JobSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class JobRequestTest {
  private final JobRequest request = new JobRequest(new JsonObject()
      .put("maxUrls", 3).put("maxUrlLength", 100));

  @Test
  void acceptsHttpAndHttpsUrlsWithDefaults() {
    JobSpec spec = request.parse(new JsonObject().put("urls", new JsonArray().add("http://a.example/x").add("HTTPS://b.example:8443/")));
    assertThat(spec.urls()).containsExactly("http://a.example/x", "HTTPS://b.example:8443/");
    assertThat(spec.options()).isEqualTo(dev.fetchbus.verticles.bus.JobOptions.defaults());
  }

  @Test
  void keepsTheRequestedConcurrency() {
    JobSpec spec = request.parse(new JsonObject().put("urls", new JsonArray().add("http://a/")).put("concurrency", 50));
    assertThat(spec.options().concurrency()).isEqualTo(50);
  }

  @Test
  void listsEveryBadUrlWithItsIndex() {
    JsonObject body = new JsonObject().put("urls", new JsonArray().add("ftp://a/").add("http://ok/").add("http:///nohost"));
    assertThatThrownBy(() -> request.parse(body)).isInstanceOfSatisfying(Problem.InvalidRequest.class, e -> {
      assertThat(e.problem.type()).endsWith(":invalid-url");
      JsonArray errors = e.problem.extensions().getJsonArray("errors");
      assertThat(errors.stream().map(o -> ((JsonObject) o).getInteger("index"))).containsExactly(0, 2);
    });
  }

  @Test
  void refusesMissingEmptyTooManyAndUnknown() {
    assertProblem(new JsonObject(), "missing-urls");
    assertProblem(new JsonObject().put("urls", new JsonArray()), "missing-urls");
    assertProblem(new JsonObject().put("urls", "http://a/"), "missing-urls");
    assertProblem(new JsonObject().put("urls", new JsonArray().add("http://a/").add("http://b/").add("http://c/").add("http://d/")), "too-many-urls");
    assertProblem(new JsonObject().put("urls", new JsonArray().add(1)), "invalid-url");
    assertProblem(new JsonObject().put("urls", new JsonArray().add("http://a/" + "x".repeat(100))), "invalid-url");
    assertProblem(new JsonObject().put("urls", new JsonArray().add("http://a/")).put("concurency", 3), "unknown-field");
    assertProblem(new JsonObject().put("urls", new JsonArray().add("http://a/")).put("concurrency", 0), "invalid-option");
    assertProblem(new JsonObject().put("urls", new JsonArray().add("http://a/")).put("concurrency", 1025), "invalid-option");
    assertProblem(new JsonObject().put("urls", new JsonArray().add("http://a/")).put("concurrency", "8"), "invalid-option");
  }

  private void assertProblem(JsonObject body, String slug) {
    assertThatThrownBy(() -> request.parse(body)).isInstanceOfSatisfying(Problem.InvalidRequest.class,
        e -> assertThat(e.problem.type()).isEqualTo("urn:fetchbus:problem:" + slug));
  }
}
