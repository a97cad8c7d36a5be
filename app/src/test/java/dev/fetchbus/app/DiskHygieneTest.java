package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.store.api.StoreApi;
import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What is on disk follows what is in the database: the start-up sweeps remove files a crash leaves behind and files
 * whose rows are gone, an upload whose file vanished is 410 Gone, done outbox tasks are pruned, and a purge survives
 * a failure half-way. Real files, a real PostgreSQL, and a real read-only mount (the test runs as root, as CI does).
 */
class DiskHygieneTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static Vertx vertx;
  private static TestOrigin origin;
  private static HttpServer refusingReceiver;
  private static HttpServer acceptingReceiver;
  private static Path liveData;
  private static TestApp live;
  private static Api api;

  /** One app for the tests that need no restart, keeping done outbox tasks for a millisecond only. */
  @BeforeAll
  static void start() throws Exception {
    vertx = StrictVertx.create();
    origin = await(TestOrigin.start(vertx));
    refusingReceiver = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> request.response().setStatusCode(503).end()).listen());
    acceptingReceiver = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> request.response().setStatusCode(204).end()).listen());
    liveData = TestApp.newDataDir();
    live = TestApp.start(liveData, config -> config.getJsonObject("outbox").put("retentionMs", 1)
        .put("pruneIntervalMs", 200));
    api = new Api(vertx, live);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (live != null) {
        api.close();
        live.close();
      }
    } finally {
      await(vertx.close());
      TestApp.delete(liveData);
    }
  }

  @Test
  void theStartUpSweepRemovesLeftoversAndOrphansKeepsWhatRowsNameAndFinishesAnInterruptedPurge() throws Exception {
    Path data = TestApp.newDataDir();
    try {
      String kept;
      String vanished;
      String job;
      String interrupted;
      byte[] body = "an upload that stays".getBytes();
      try (TestApp app = TestApp.start(data)) {
        Api client = new Api(vertx, app);
        kept = upload(client, body);
        vanished = upload(client, "its file goes while the service is down".getBytes());
        job = mirrorJob(client, app, data);
        interrupted = mirrorJob(client, app, data);
        // A purge that crashed right after its first step: the job is marked, nothing else happened.
        app.request(StoreApi.JOBS_PURGE_BEGIN.address(), new JsonObject().put("id", interrupted));
        assertThat(client.get("/api/jobs/" + interrupted).statusCode()).isEqualTo(404);
        assertThat(client.get("/api/jobs").bodyAsJsonObject().getJsonArray("jobs").stream()
            .map(j -> ((JsonObject) j).getString("id"))).contains(job).doesNotContain(interrupted);
        client.close();
      }

      Path uploads = data.resolve("uploads");
      Path mirror = data.resolve("mirror");
      Path reports = data.resolve("reports");
      // What a crash leaves: files under their temporary names, a file renamed before its row committed, and what
      // a purge that deleted its rows before its files (as purges once did) left.
      List<Path> leftovers = List.of(
          write(uploads.resolve("." + UUID.randomUUID() + ".part-" + UUID.randomUUID())),
          write(uploads.resolve(UUID.randomUUID().toString())),
          write(mirror.resolve(job).resolve(".1.part-" + UUID.randomUUID())),
          write(mirror.resolve(UUID.randomUUID().toString()).resolve("0")).getParent(),
          write(reports.resolve("." + job + ".csv.gz.part-" + UUID.randomUUID())),
          write(reports.resolve(UUID.randomUUID() + ".ndjson.gz")));
      Path notOurs = write(uploads.resolve("notes.txt"));
      Files.delete(uploads.resolve(vanished));
      List<Path> real = List.of(uploads.resolve(kept), mirror.resolve(job).resolve("0"), mirror.resolve(job).resolve("1"),
          mirror.resolve(job).resolve("2"), reports.resolve(job + ".ndjson.gz"), reports.resolve(job + ".csv.gz"));
      assertThat(real).allMatch(Files::exists);
      assertThat(List.of(mirror.resolve(interrupted), reports.resolve(interrupted + ".csv.gz"))).allMatch(Files::exists);
      // All of it old, as after a crash: what rows name stays for that reason, not for being new.
      try (Stream<Path> all = Files.walk(data.resolve("uploads"))) {
        backdate(all.toList());
      }
      try (Stream<Path> all = Stream.concat(Files.walk(mirror), Files.walk(reports))) {
        backdate(all.toList());
      }

      try (TestApp app = TestApp.start(data)) {
        Api client = new Api(vertx, app);
        await(StrictVertx.eventually(vertx, WAIT, 50, () -> Future.succeededFuture(
            leftovers.stream().noneMatch(Files::exists) && !Files.exists(mirror.resolve(interrupted))
                && !Files.exists(reports.resolve(interrupted + ".ndjson.gz"))
                && !Files.exists(reports.resolve(interrupted + ".csv.gz")))), WAIT.plusSeconds(5));
        assertThat(real).allMatch(Files::exists);
        assertThat(notOurs).exists();
        eventually(() -> app.jobRows("id = '" + interrupted + "'") == 0);
        assertThat(app.jobRows("id = '" + job + "'")).isEqualTo(1);

        HttpResponse<Buffer> content = client.get("/api/uploads/" + kept + "/content");
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.body().getBytes()).isEqualTo(body);
        // The sweep marked the upload whose file is gone; its content is 410.
        eventually(() -> client.get("/api/uploads/" + vanished).bodyAsJsonObject().containsKey("missingAt"));
        assertGone(client.get("/api/uploads/" + vanished + "/content"));
        assertThat(client.get("/api/uploads/" + kept).bodyAsJsonObject().containsKey("missingAt")).isFalse();
        client.close();
      }
    } finally {
      TestApp.delete(data);
    }
  }

  @Test
  void anUploadWhoseFileVanishedBehindTheServiceIsGone() throws Exception {
    String id = upload(api, "soon gone".getBytes());
    Files.delete(liveData.resolve("uploads").resolve(id));

    assertGone(api.get("/api/uploads/" + id + "/content"));
    JsonObject metadata = api.get("/api/uploads/" + id).bodyAsJsonObject();
    assertThat(metadata.getString("missingAt")).isNotBlank();
    assertGone(api.get("/api/uploads/" + id + "/content"));
    assertThat(api.delete("/api/uploads/" + id).statusCode()).isEqualTo(204);
    assertThat(api.get("/api/uploads/" + id).statusCode()).isEqualTo(404);
  }

  @Test
  void aPurgeThatCannotRemoveAFileHidesTheJobAndTheNextPurgeFinishesIt() throws Exception {
    String key = "hygiene-" + UUID.randomUUID();
    JsonObject request = new JsonObject().put("urls", new JsonArray().add(origin.url("/obj/7"))).put("body", "mirror");
    HttpResponse<Buffer> submitted = await(api.client().postAbs(live.url("/api/jobs"))
        .putHeader("Idempotency-Key", key).sendJsonObject(request));
    String id = submitted.bodyAsJsonObject().getString("id");
    assertThat(api.awaitEnd(id, WAIT).getString("status")).isEqualTo("done");
    Path dir = liveData.resolve("mirror").resolve(id);
    assertThat(dir.resolve("0")).exists();

    run("mount", "--bind", dir.toString(), dir.toString());
    try {
      run("mount", "-o", "remount,bind,ro", dir.toString());
      HttpResponse<Buffer> failed = api.delete("/api/jobs/" + id + "?purge=true");
      assertThat(failed.statusCode()).isEqualTo(500);
      assertThat(failed.getHeader("content-type")).isEqualTo("application/problem+json");
    } finally {
      run("umount", dir.toString());
    }
    // Half-way: the job is gone for readers and its key is free, but its rows and file are still there.
    assertThat(api.get("/api/jobs/" + id).statusCode()).isEqualTo(404);
    assertThat(api.get("/api/jobs/" + id + "/results").statusCode()).isEqualTo(404);
    assertThat(live.jobRows("id = '" + id + "' AND purging_at IS NOT NULL")).isEqualTo(1);
    assertThat(dir.resolve("0")).exists();
    HttpResponse<Buffer> again = await(api.client().postAbs(live.url("/api/jobs"))
        .putHeader("Idempotency-Key", key).sendJsonObject(request));
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(again.bodyAsJsonObject().getString("id")).isNotEqualTo(id);

    assertThat(api.delete("/api/jobs/" + id + "?purge=true").statusCode()).isEqualTo(204);
    assertThat(dir).doesNotExist();
    assertThat(live.jobRows("id = '" + id + "'")).isZero();
    assertThat(live.count("SELECT count(*) FROM results WHERE job_id = '" + id + "'")).isZero();
    assertThat(api.delete("/api/jobs/" + id + "?purge=true").statusCode()).isEqualTo(404);
  }

  @Test
  void doneOutboxTasksArePrunedAfterTheirRetentionAndPendingOnesStay() throws Exception {
    String delivered = api.submit(new JsonObject().put("urls", new JsonArray().add(origin.url("/obj/1")))
        .put("callbackUrl", "http://127.0.0.1:" + acceptingReceiver.actualPort() + "/hook"));
    String refused = api.submit(new JsonObject().put("urls", new JsonArray().add(origin.url("/obj/2")))
        .put("callbackUrl", "http://127.0.0.1:" + refusingReceiver.actualPort() + "/hook"));
    assertThat(api.awaitEnd(delivered, WAIT).getString("status")).isEqualTo("done");
    assertThat(api.awaitEnd(refused, WAIT).getString("status")).isEqualTo("done");
    // The delivered callback's task was done, and pruned a millisecond later; the refused one stays due.
    eventually(() -> live.count("SELECT count(*) FROM outbox WHERE job_id = '" + delivered + "'") == 0);
    // Pruned, the task's outcome is still the job's.
    JsonObject callback = api.get("/api/jobs/" + delivered).bodyAsJsonObject().getJsonObject("callback");
    assertThat(callback.getString("state")).isEqualTo("delivered");
    assertThat(callback.getInteger("attempts")).isEqualTo(1);
    assertThat(live.count("SELECT count(*) FROM outbox WHERE job_id = '" + refused + "' AND kind = 'callback'"
        + " AND done_at IS NULL AND attempts > 0")).isEqualTo(1);
    assertThat(live.count("SELECT count(*) FROM outbox WHERE done_at IS NOT NULL")).isZero();
  }

  /** Uploads a body and returns its id. */
  private static String upload(Api client, byte[] body) {
    HttpResponse<Buffer> created = client.post("/api/uploads", "text/plain", Buffer.buffer(body));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("id");
  }

  /** A three-URL mirror job, waited for until it is done, and its report downloaded (so its files are written). */
  private static String mirrorJob(Api client, TestApp app, Path data) {
    String id = client.submit(new JsonObject().put("urls", List.of(origin.url("/obj/0"), origin.url("/obj/1"),
        origin.url("/obj/2"))).put("body", "mirror"));
    assertThat(client.awaitEnd(id, WAIT).getString("status")).isEqualTo("done");
    assertThat(client.get("/api/jobs/" + id + "/report").statusCode()).isEqualTo(200);
    assertThat(data.resolve("reports").resolve(id + ".csv.gz")).exists();
    return id;
  }

  private static void assertGone(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).isEqualTo(410);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("type")).isEqualTo("urn:fetchbus:problem:gone");
    assertThat(problem.getString("detail")).contains("missing");
  }

  private static Path write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, "left behind".getBytes());
    return file;
  }

  private static void backdate(List<Path> paths) throws IOException {
    FileTime hourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    for (Path path : paths) {
      Files.setLastModifiedTime(path, hourAgo);
    }
  }

  /** Polls a blocking check from a worker thread (it may read files or the database) until it holds. */
  private static void eventually(Callable<Boolean> check) {
    await(StrictVertx.eventually(vertx, WAIT, 100, () -> vertx.executeBlocking(check)), WAIT.plusSeconds(5));
  }

  private static void run(String... command) throws IOException, InterruptedException {
    int code = new ProcessBuilder(command).inheritIO().start().waitFor();
    if (code != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + code
          + ": this test needs root (CI runs as root), or a user namespace: unshare -rm ./mvnw -B verify");
    }
  }
}
