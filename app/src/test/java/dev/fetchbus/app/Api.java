package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real HTTP client for the app's API, for test threads. */
final class Api {
  private final Vertx vertx;
  private final WebClient client;
  private final TestApp app;

  Api(Vertx vertx, TestApp app) {
    this.vertx = vertx;
    this.client = WebClient.create(vertx);
    this.app = app;
  }

  WebClient client() {
    return client;
  }

  HttpResponse<Buffer> get(String path) {
    return await(client.getAbs(app.url(path)).send());
  }

  HttpResponse<Buffer> post(String path, String contentType, Buffer body) {
    return await(client.postAbs(app.url(path)).putHeader("content-type", contentType).sendBuffer(body));
  }

  /** Submits a job and returns its id, asserting the 202. */
  String submit(List<String> urls, int concurrency) {
    return submit(new JsonObject().put("urls", new JsonArray(urls)).put("concurrency", concurrency));
  }

  String submit(JsonObject job) {
    HttpResponse<Buffer> response = post("/api/jobs", "application/json", job.toBuffer());
    if (response.statusCode() != 202) {
      throw new AssertionError("submit answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    return response.bodyAsJsonObject().getString("id");
  }

  JsonObject job(String id) {
    return get("/api/jobs/" + id).bodyAsJsonObject();
  }

  /** Waits (on timers, bounded) until the job's status satisfies the condition; returns the job. */
  JsonObject awaitJob(String id, Duration timeout, java.util.function.Predicate<JsonObject> condition) {
    await(StrictVertx.eventually(vertx, timeout, 100, () -> client.getAbs(app.url("/api/jobs/" + id)).send()
        .map(r -> condition.test(r.bodyAsJsonObject()))), timeout.plusSeconds(5));
    return job(id);
  }

  /** Waits until the job has ended (done, cancelled or failed). */
  JsonObject awaitEnd(String id, Duration timeout) {
    return awaitJob(id, timeout, j -> !j.getString("status").equals("queued") && !j.getString("status").equals("running"));
  }

  HttpResponse<Buffer> delete(String path) {
    return await(client.deleteAbs(app.url(path)).send());
  }

  List<JsonObject> results(String id) {
    HttpResponse<Buffer> response = get("/api/jobs/" + id + "/results");
    if (response.statusCode() != 200) {
      throw new AssertionError("results answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    List<JsonObject> lines = new ArrayList<>();
    for (String line : response.bodyAsString().split("\n")) {
      if (!line.isEmpty()) {
        lines.add(new JsonObject(line));
      }
    }
    return lines;
  }

  void close() {
    client.close();
  }
}
