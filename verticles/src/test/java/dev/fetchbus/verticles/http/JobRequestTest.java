package dev.fetchbus.verticles.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fetchbus.verticles.bus.JobSpec;
import dev.fetchbus.verticles.guard.AddressGuard;
import dev.fetchbus.verticles.guard.Cidr;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobRequestTest {
  private final JobRequest request = new JobRequest(new JsonObject()
      .put("maxUrls", 3).put("maxUrlLength", 100), new AddressGuard(List.of(Cidr.parse("127.0.0.2/32"))));

  @Test
  void acceptsHttpAndHttpsUrlsWithDefaults() {
    JobSpec spec = request.parse(new JsonObject().put("urls", new JsonArray().add("http://a.example/x").add("HTTPS://b.example:8443/")));
    assertThat(spec.urls()).containsExactly("http://a.example/x", "HTTPS://b.example:8443/");
    assertThat(spec.options()).isEqualTo(dev.fetchbus.verticles.bus.JobOptions.defaults());
  }

  @Test
  void keepsHeadersAndThePerHostDelayAndRefusesHeadersTheFetcherOwns() {
    JsonObject ok = new JsonObject().put("urls", new JsonArray().add("http://a/")).put("perHostDelayMs", 250)
        .put("headers", new JsonObject().put("X-Api-Key", "k").put("User-Agent", "me/1"));
    dev.fetchbus.verticles.bus.JobOptions options = request.parse(ok).options();
    assertThat(options.perHostDelayMs()).isEqualTo(250);
    assertThat(options.headers()).containsExactly(Map.entry("X-Api-Key", "k"), Map.entry("User-Agent", "me/1"));
    assertThat(dev.fetchbus.verticles.bus.JobOptions.fromJson(options.toJson())).isEqualTo(options);

    JsonObject tooMany = new JsonObject();
    IntStream.range(0, 33).forEach(n -> tooMany.put("X-" + n, "v"));
    Map<JsonObject, String> refused = Map.of(
        new JsonObject().put("Host", "evil"), "hop-by-hop",
        new JsonObject().put("transfer-encoding", "chunked"), "hop-by-hop",
        new JsonObject().put("X-A", "one\r\nX-B: two"), "without CR, LF",
        new JsonObject().put("Bad Name", "v"), "not a header name",
        new JsonObject().put("X-A", "1").put("x-a", "2"), "given twice",
        new JsonObject().put("X-A", 1), "must be a string",
        tooMany, "at most 32");
    refused.forEach((headers, why) -> assertThatThrownBy(() -> request.parse(new JsonObject()
            .put("urls", new JsonArray().add("http://a/")).put("headers", headers)))
        .as(headers.encode()).isInstanceOf(Problem.Refused.class).hasMessageContaining(why));
    assertThatThrownBy(() -> request.parse(new JsonObject().put("urls", new JsonArray().add("http://a/"))
        .put("perHostDelayMs", 60_001))).isInstanceOf(Problem.Refused.class)
        .hasMessageContaining("'perHostDelayMs' must be an integer from 0 to 60000");
  }

  @Test
  void keepsTheRequestedConcurrency() {
    JobSpec spec = request.parse(new JsonObject().put("urls", new JsonArray().add("http://a/")).put("concurrency", 50));
    assertThat(spec.options().concurrency()).isEqualTo(50);
  }

  @Test
  void readsEveryOptionAndRefusesOutOfRangeOnes() {
    JsonObject body = new JsonObject().put("urls", new JsonArray().add("http://a/")).put("perHost", 2)
        .put("retries", 0).put("redirects", 0).put("maxBodyBytes", 1024).put("body", "mirror").put("decode", true)
        .put("timeouts", new JsonObject().put("connectMs", 100).put("responseMs", 200).put("idleMs", 300)
            .put("totalMs", 400).put("deadlineMs", 500));
    dev.fetchbus.verticles.bus.JobOptions o = request.parse(body).options();
    assertThat(o.perHost()).isEqualTo(2);
    assertThat(o.retries()).isZero();
    assertThat(o.redirects()).isZero();
    assertThat(o.maxBodyBytes()).isEqualTo(1024);
    assertThat(o.body()).isEqualTo(dev.fetchbus.verticles.bus.JobOptions.BodyMode.MIRROR);
    assertThat(o.decode()).isTrue();
    assertThat(List.of(o.connectMs(), o.responseMs(), o.idleMs(), o.totalMs(), o.deadlineMs()))
        .containsExactly(100L, 200L, 300L, 400L, 500L);
    JsonArray one = new JsonArray().add("http://a/");
    assertProblem(new JsonObject().put("urls", one).put("perHost", 0), "invalid-option");
    assertProblem(new JsonObject().put("urls", one).put("retries", 11), "invalid-option");
    assertProblem(new JsonObject().put("urls", one).put("maxBodyBytes", 1.5), "invalid-option");
    assertProblem(new JsonObject().put("urls", one).put("body", "keep"), "invalid-option");
    assertProblem(new JsonObject().put("urls", one).put("decode", "yes"), "invalid-option");
    assertProblem(new JsonObject().put("urls", one).put("timeouts", 5), "invalid-option");
    assertProblem(new JsonObject().put("urls", one).put("timeouts", new JsonObject().put("idleMs", 0)), "invalid-option");
    assertProblem(new JsonObject().put("urls", one).put("timeouts", new JsonObject().put("readMs", 5)), "unknown-field");
  }

  @Test
  void listsEveryBadUrlWithItsIndex() {
    JsonObject body = new JsonObject().put("urls", new JsonArray().add("ftp://a/").add("http://ok/").add("http:///nohost"));
    assertThatThrownBy(() -> request.parse(body)).isInstanceOfSatisfying(Problem.Refused.class, e -> {
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

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8080/cb", "http://[::1]/", "http://2130706433/", "http://0x7f000001/",
      "http://0177.0.0.1/", "http://0x7f.1/", "http://169.254.169.254/latest", "http://10.0.0.1/", "http://167772161/",
      "https://[::ffff:127.0.0.1]/", "http://[fe80::1%25eth0]/", "http://127.0.0.1./", "http://99999999999/",
      "http://1.2.3.4.5/", "http://a.0x10/", "ftp://hooks.example/", "http:///nohost"})
  void refusesACallbackUrlThatCouldNeverBeDelivered(String url) {
    JsonObject body = new JsonObject().put("urls", new JsonArray().add("http://a/")).put("callbackUrl", url);
    assertThatThrownBy(() -> request.parse(body)).isInstanceOfSatisfying(Problem.Refused.class, e -> {
      assertThat(e.problem.type()).isEqualTo("urn:fetchbus:problem:invalid-option");
      assertThat(e.problem.detail()).startsWith("'callbackUrl' ");
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.2:9/cb", "http://2130706434/", "https://hooks.example.org/fetchbus",
      "http://localhost/", "http://93.184.215.14/", "http://[2606:4700::1111]/", "http://1e100/"})
  void acceptsACallbackUrlWithAHostNameOrAnAddressTheGuardPermits(String url) {
    JsonObject body = new JsonObject().put("urls", new JsonArray().add("http://a/")).put("callbackUrl", url);
    assertThat(request.parse(body).callbackUrl()).isEqualTo(url);
  }

  private void assertProblem(JsonObject body, String slug) {
    assertThatThrownBy(() -> request.parse(body)).isInstanceOfSatisfying(Problem.Refused.class,
        e -> assertThat(e.problem.type()).isEqualTo("urn:fetchbus:problem:" + slug));
  }
}
