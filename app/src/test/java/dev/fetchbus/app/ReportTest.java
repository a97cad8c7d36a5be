package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A job's report is built when it is first asked for, not when the job ends, and kept for later downloads. */
class ReportTest {
  private static final int URLS = 30;
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();

  @Test
  void aJobEndedLongBeforeItsReportIsAskedForGetsAFullReportAndItIsKept() throws Exception {
    Path dataDir = TestApp.newDataDir();
    try (TestApp app = TestApp.start(dataDir)) {
      Api api = new Api(running.vertx, app);
      List<String> urls = IntStream.range(0, URLS).mapToObj(n -> running.origin.url("/obj/" + n)).toList();
      String id = api.submit(new JsonObject().put("urls", urls));
      assertThat(api.awaitEnd(id, Duration.ofSeconds(30)).getString("status")).isEqualTo("done");
      Path ndjsonFile = dataDir.resolve("reports").resolve(id + ".ndjson.gz");
      assertThat(ndjsonFile).as("no report before anyone asks").doesNotExist();

      // Two first downloads at once, one of each format: both wait for the one build.
      Future<HttpResponse<Buffer>> ndjson = api.client().getAbs(app.url("/api/jobs/" + id + "/report")).send();
      Future<HttpResponse<Buffer>> csv = api.client().getAbs(app.url("/api/jobs/" + id + "/report"))
          .putHeader("accept", "text/csv").send();
      await(Future.all(ndjson, csv));
      assertThat(ndjson.result().statusCode()).isEqualTo(200);
      assertThat(csv.result().statusCode()).isEqualTo(200);
      assertThat(ndjson.result().getHeader("content-type")).isEqualTo("application/gzip");

      List<String> lines = gunzip(ndjson.result().body()).lines().toList();
      assertThat(lines).hasSize(URLS);
      for (int n = 0; n < URLS; n++) {
        JsonObject row = new JsonObject(lines.get(n));
        assertThat(row.getString("url")).isEqualTo(urls.get(n));
        assertThat(row.getString("outcome")).isEqualTo("ok");
        assertThat(row.getString("sha256")).isEqualTo(TestOrigin.sha256(TestOrigin.object(n)));
      }
      List<String> csvLines = gunzip(csv.result().body()).lines().toList();
      assertThat(csvLines.get(0)).startsWith("seq,url,outcome");
      assertThat(csvLines).hasSize(URLS + 1);

      // Kept: a later download is the same file, not a new build.
      FileTime built = Files.getLastModifiedTime(ndjsonFile);
      HttpResponse<Buffer> again = api.get("/api/jobs/" + id + "/report");
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(again.body()).isEqualTo(ndjson.result().body());
      assertThat(Files.getLastModifiedTime(ndjsonFile)).isEqualTo(built);
      api.close();
    } finally {
      TestApp.delete(dataDir);
    }
  }

  @Test
  void aRunningJobHasNoReportYet() throws Exception {
    Path dataDir = TestApp.newDataDir();
    try (TestApp app = TestApp.start(dataDir)) {
      Api api = new Api(running.vertx, app);
      // The origin holds this response for 5 s: the job is still running when its report is asked for.
      String id = api.submit(new JsonObject().put("urls", List.of(running.origin.url("/slow/0?ms=5000"))));
      HttpResponse<Buffer> early = api.get("/api/jobs/" + id + "/report");
      assertThat(early.statusCode()).isEqualTo(409);
      assertThat(early.getHeader("content-type")).isEqualTo("application/problem+json");
      assertThat(dataDir.resolve("reports").resolve(id + ".ndjson.gz")).doesNotExist();
      api.delete("/api/jobs/" + id);
      api.close();
    } finally {
      TestApp.delete(dataDir);
    }
  }

  private static String gunzip(Buffer gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.getBytes()))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
