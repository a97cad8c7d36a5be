package dev.fetchbus.verticles.http;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobOptions.Limit;
import dev.fetchbus.verticles.testing.FreePort;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docs/openapi.yaml against the running HTTP verticle: the file is a valid OpenAPI 3.1 document, covers every route,
 * states the limits the code enforces, is served as it is, and its validation answers with precise problems.
 */
class OpenApiTest {
  private static final Path DOCUMENT = Path.of("../docs/openapi.yaml");
  private static final Set<String> JOB_OPTIONS_AT_TOP = Set.of("concurrency", "perHost", "retries", "redirects",
      "maxBodyBytes", "perHostDelayMs");

  @TempDir
  static Path dataDir;

  private static Vertx vertx;
  private static JsonObject config;
  private static HttpVerticle verticle;
  private static HttpClient client;

  @BeforeAll
  static void start() throws IOException {
    vertx = StrictVertx.create();
    config = new JsonObject(Files.readString(Path.of("../conf/config.json")));
    config.put("dataDir", dataDir.toString());
    config.getJsonObject("http").put("port", FreePort.next()).put("busTimeoutMs", 2_000);
    verticle = new HttpVerticle();
    await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
    client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(config.getJsonObject("http").getInteger("port")));
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  @Test
  void theDocumentIsValidOpenApi31() throws IOException {
    JsonObject document = SpecValidation.parse(Buffer.buffer(Files.readAllBytes(DOCUMENT)));
    var repository = await(OpenAPIVersion.V3_1.getRepository(vertx, "app://"));
    var result = await(OpenAPIVersion.V3_1.validateContract(vertx, repository, document));
    assertThat(result.getValid()).as(String.valueOf(result.getErrors())).isTrue();
  }

  @Test
  void everyRouteHasAnOperation() {
    JsonObject paths = SpecValidation.parse(SpecValidation.readDocument()).getJsonObject("paths");
    Router router = verticle.router(await(SpecValidation.load(vertx, config.getJsonObject("jobs"))));
    List<String> routes = new ArrayList<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() == null) {
        continue; // the failure handler, on every path
      }
      String path = route.getPath().replaceAll(":(\\w+)", "{$1}");
      if (!route.isExactPath()) {
        path += "{file}"; // a prefix route (the dashboard's files): the contract names the rest of the path {file}
      }
      for (HttpMethod method : route.methods()) {
        routes.add(method.name().toLowerCase() + " " + path);
        assertThat(paths.getJsonObject(path)).as(path).isNotNull();
        assertThat(paths.getJsonObject(path).getJsonObject(method.name().toLowerCase()))
            .as(method + " " + path).isNotNull();
      }
    }
    assertThat(routes).contains("post /api/jobs", "get /api/jobs/{id}/results", "get /openapi.yaml", "get /hello");
  }

  @Test
  void theJobSchemaStatesTheLimitsTheCodeEnforces() throws IOException {
    JsonObject job = SpecValidation.parse(SpecValidation.readDocument()).getJsonObject("components")
        .getJsonObject("schemas").getJsonObject("JobRequest").getJsonObject("properties");
    for (Limit limit : Limit.values()) {
      JsonObject option = JOB_OPTIONS_AT_TOP.contains(limit.field) ? job.getJsonObject(limit.field)
          : job.getJsonObject("timeouts").getJsonObject("properties").getJsonObject(limit.field);
      assertThat(option).as(limit.field).isNotNull();
      assertThat(option.getLong("minimum")).as(limit.field + " minimum").isEqualTo(limit.min);
      assertThat(option.getLong("maximum")).as(limit.field + " maximum").isEqualTo(limit.max);
      assertThat(option.getLong("default")).as(limit.field + " default").isEqualTo(limit.defaultValue);
    }
    JsonObject defaults = new JsonObject(Files.readString(Path.of("../conf/config.json"))).getJsonObject("jobs");
    assertThat(job.getJsonObject("urls").getInteger("maxItems")).isEqualTo(defaults.getInteger("maxUrls"));
    assertThat(job.getJsonObject("urls").getJsonObject("items").getInteger("maxLength"))
        .isEqualTo(defaults.getInteger("maxUrlLength"));
    assertThat(job.getJsonObject("callbackUrl").getInteger("maxLength")).isEqualTo(defaults.getInteger("maxUrlLength"));
    assertThat(job.getJsonObject("headers").getInteger("maxProperties")).isEqualTo(JobOptions.MAX_HEADERS);
  }

  @Test
  void servesTheDocumentAsWritten() throws IOException {
    byte[] expected = Files.readAllBytes(DOCUMENT);
    for (int i = 0; i < 2; i++) {
      Reply reply = send(HttpMethod.GET, "/openapi.yaml", MultiMap.caseInsensitiveMultiMap(), null);
      assertThat(reply.status).isEqualTo(200);
      assertThat(reply.contentType).isEqualTo("application/yaml");
      assertThat(reply.body.getBytes()).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"urls\": [\"http://a/\"], \"concurrency\": 1025}          | invalid-option | /concurrency: must be at most 1024",
      "{\"urls\": [\"http://a/\"], \"timeouts\": {\"idleMs\": 0}}  | invalid-option | /timeouts/idleMs: must be at least 1",
      "{\"urls\": [\"http://a/\"], \"retries\": \"2\"}             | invalid-option | /retries: must be an integer or null",
      "{\"urls\": [\"http://a/\"], \"body\": \"keep\"}             | invalid-option | /body: must be one of digest, mirror",
      "{\"urls\": [\"http://a/\"], \"timeouts\": {\"readMs\": 5}}  | unknown-field  | /timeouts/readMs: is not a known field",
      "{\"urls\": [\"http://a/\"], \"concurency\": 5}              | unknown-field  | /concurency: is not a known field",
      "{}                                                          | missing-urls   | /urls: is required",
      "{\"urls\": []}                                              | missing-urls   | /urls: must have at least 1 items",
      "{\"urls\": [\"http://a/\", 42]}                             | invalid-url    | 1 of the URLs are not absolute http(s) URLs (the first 1 are listed)",
      "[\"http://a/\"]                                             | invalid-json   | body: must be an object",
      "{\"urls\": [                                                | invalid-json   | body: not valid JSON",
  })
  void aBadJobNamesTheFieldAtFault(String body, String slug, String detail) {
    Reply reply = send(HttpMethod.POST, "/api/jobs", headers("content-type", "application/json"), body);
    assertThat(assertProblem(reply, 400, slug).getString("detail")).isEqualTo(detail);
  }

  /** The URLs are checked in one loop after the schema (not item by item by it), which lists each bad one. */
  @Test
  void urlsOverTheConfiguredLengthOrNotStringsAreListedWithTheirIndex() {
    String url = "http://a/" + "x".repeat(config.getJsonObject("jobs").getInteger("maxUrlLength"));
    Reply reply = send(HttpMethod.POST, "/api/jobs", headers("content-type", "application/json"),
        "{\"urls\": [\"" + url + "\", \"http://b/\", 42]}");
    JsonArray errors = assertProblem(reply, 400, "invalid-url").getJsonArray("errors");
    assertThat(errors).hasSize(2);
    assertThat(errors.getJsonObject(0).getInteger("index")).isZero();
    assertThat(errors.getJsonObject(0).getString("reason")).isEqualTo("longer than 8192 characters");
    assertThat(errors.getJsonObject(1).getInteger("index")).isEqualTo(2);
    assertThat(errors.getJsonObject(1).getString("reason")).isEqualTo("not a string");
  }

  @Test
  void aBodyThatIsNotJsonIsUnsupported() {
    Reply reply = send(HttpMethod.POST, "/api/jobs", headers("content-type", "text/plain"), "{\"urls\": []}");
    assertProblem(reply, 415, "unsupported-media-type");
  }

  @Test
  void aValidJobGetsPastValidation() {
    // No store is deployed: a request the contract lets through ends at the event bus as 503.
    String job = "{\"urls\": [\"http://a/\"], \"concurrency\": null, \"timeouts\": {\"totalMs\": 5000}}";
    assertProblem(send(HttpMethod.POST, "/api/jobs", headers("content-type", "application/json; charset=utf-8",
        "Idempotency-Key", "50%off+x"), job), 503, "unavailable");
    assertProblem(send(HttpMethod.POST, "/api/jobs", headers(), job), 503, "unavailable"); // no Content-Type: JSON
    assertProblem(send(HttpMethod.GET, "/api/jobs/" + UUID.randomUUID().toString().toUpperCase()
        + "/results?outcome=timeout_idle", headers(), null), 503, "unavailable");
    assertProblem(send(HttpMethod.GET, "/api/jobs?status=done&limit=1000&after=" + UUID.randomUUID(), headers(),
        null), 503, "unavailable");
  }

  @Test
  void badParametersAreNamed() {
    assertThat(detail(send(HttpMethod.GET, "/api/jobs/not-a-uuid", headers(), null), "invalid-request"))
        .isEqualTo("'id' (path): must be a uuid");
    assertThat(detail(send(HttpMethod.GET, "/api/jobs?limit=0", headers(), null), "invalid-query"))
        .isEqualTo("'limit' (query): must be at least 1");
    assertThat(detail(send(HttpMethod.GET, "/api/jobs?status=finished", headers(), null), "invalid-query"))
        .isEqualTo("'status' (query): must be one of queued, running, done, cancelled, failed");
    assertThat(detail(send(HttpMethod.DELETE, "/api/jobs/" + UUID.randomUUID() + "?purge=yes", headers(), null),
        "invalid-query")).isEqualTo("'purge' (query): must be true or false");
    assertThat(detail(send(HttpMethod.POST, "/api/jobs", headers("content-type", "application/json",
        "Idempotency-Key", "two words"), "{\"urls\": [\"http://a/\"]}"), "invalid-idempotency-key"))
        .startsWith("'Idempotency-Key' (header): must match");
  }

  private static String detail(Reply reply, String slug) {
    return assertProblem(reply, 400, slug).getString("detail");
  }

  @Test
  void helloIsNotValidatedByTheContract() {
    // The contract would call this an invalid-query; /hello's own check answers, so no validator ran.
    assertProblem(send(HttpMethod.GET, "/hello?delay=soon", headers(), null), 400, "invalid-delay");
  }

  @Test
  void aStreamedBodyReachesItsHandlerWhole() throws Exception {
    SpecValidation spec = await(SpecValidation.load(vertx, config.getJsonObject("jobs")));
    Router router = Router.router(vertx);
    router.post("/api/uploads").handler(spec.handler("createUpload", SpecValidation.Problems.DEFAULT))
        .handler(ctx -> {
          MessageDigest sha = sha256();
          long[] bytes = {0};
          ctx.request().handler(chunk -> {
            bytes[0] += chunk.length();
            sha.update(chunk.getBytes());
          });
          ctx.request().endHandler(v -> ctx.response().end(bytes[0] + " " + HexFormat.of().formatHex(sha.digest())));
        });
    router.get("/api/uploads/:id").handler(spec.handler("getUpload", SpecValidation.Problems.DEFAULT))
        .handler(ctx -> ctx.response().end("ok"));
    ProblemResponses.mount(router);
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    try {
      byte[] payload = new byte[3 << 20];
      new java.util.Random(7).nextBytes(payload);
      Buffer answer = await(client.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/api/uploads")
          .compose(request -> request.putHeader("content-type", "image/png").send(Buffer.buffer(payload)))
          .compose(response -> response.body()));
      assertThat(answer.toString())
          .isEqualTo(payload.length + " " + HexFormat.of().formatHex(sha256().digest(payload)));
      int status = await(client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/api/uploads/nope")
          .compose(request -> request.send()).map(response -> response.statusCode()));
      assertThat(status).isEqualTo(400);
    } finally {
      await(server.close());
    }
  }

  private record Reply(int status, String contentType, Buffer body) {
  }

  /**
   * Through a WebClient, which gathers the body in the response's own handlers: with a plain {@code response.body()}
   * attached in a later callback, a small response's body could be delivered before anyone listened (seen as an
   * empty /openapi.yaml now and then).
   */
  private static Reply send(HttpMethod method, String path, MultiMap headers, String body) {
    HttpRequest<Buffer> request = WebClient.wrap(client)
        .request(method, config.getJsonObject("http").getInteger("port"), "127.0.0.1", path).putHeaders(headers);
    HttpResponse<Buffer> response = await(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body)));
    Buffer received = response.body() == null ? Buffer.buffer() : response.body();
    return new Reply(response.statusCode(), response.getHeader(HttpHeaders.CONTENT_TYPE.toString()), received);
  }

  private static JsonObject assertProblem(Reply reply, int status, String slug) {
    assertThat(reply.status).as(reply.body.toString()).isEqualTo(status);
    assertThat(reply.contentType).isEqualTo(Problem.CONTENT_TYPE);
    JsonObject problem = reply.body.toJsonObject();
    assertThat(problem.getString("type")).isEqualTo("urn:fetchbus:problem:" + slug);
    return problem;
  }

  private static MultiMap headers(String... namesAndValues) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
