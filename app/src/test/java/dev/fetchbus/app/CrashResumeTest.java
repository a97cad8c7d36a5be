package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service as a real child process: killed with SIGKILL in the middle of a 5,000-URL job, started again on the
 * same data dir, it finishes the job with exactly one result per URL; then SIGTERM stops it with exit code 0.
 */
class CrashResumeTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();
  private static final int URLS = 5_000;

  @Test
  void aKilledServiceResumesItsJobWithExactlyOneResultPerUrl() throws Exception {
    int port = freePort();
    WebClient client = WebClient.create(running.vertx);
    String base = "http://127.0.0.1:" + port;
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < URLS; n++) {
      urls.add(running.origin.url("/slow/" + n + "?ms=20"));
    }

    Process first = launch(port, "first");
    String id;
    try {
      awaitReady(client, base);
      JsonObject submitted = await(client.postAbs(base + "/api/jobs")
          .sendJsonObject(new JsonObject().put("urls", urls).put("concurrency", 50).put("perHost", 50)))
          .bodyAsJsonObject();
      id = submitted.getString("id");
      await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(60), 50, () -> client.getAbs(base + "/api/jobs/" + id)
          .send().map(r -> r.bodyAsJsonObject().getInteger("completed") >= 1_000)), Duration.ofSeconds(65));
    } finally {
      first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
      first.waitFor(30, TimeUnit.SECONDS);
    }

    Process second = launch(port, "second");
    try {
      awaitReady(client, base);
      JsonObject before = await(client.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(before.getInteger("completed")).isLessThan(URLS);
      await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(90), 100, () -> client.getAbs(base + "/api/jobs/" + id)
          .send().map(r -> r.bodyAsJsonObject().getString("status").equals("done"))), Duration.ofSeconds(95));
      JsonObject done = await(client.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(done.getInteger("completed")).isEqualTo(URLS);
      assertThat(done.getInteger("succeeded")).isEqualTo(URLS);
      String body = await(client.getAbs(base + "/api/jobs/" + id + "/results").send()).bodyAsString();
      List<Integer> seqs = body.lines().map(line -> new JsonObject(line).getInteger("seq")).toList();
      assertThat(seqs).containsExactlyElementsOf(IntStream.range(0, URLS).boxed().toList());
    } finally {
      second.destroy(); // SIGTERM: graceful
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      client.close();
    }
    assertThat(second.exitValue()).isZero();
  }

  private static Process launch(int port, String name) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName());
    builder.environment().put("FETCHBUS_DATA_DIR", running.dataDir.toString());
    builder.environment().put("FETCHBUS_HTTP_PORT", Integer.toString(port));
    builder.environment().put("FETCHBUS_TCP_PORT", "0");
    builder.environment().put("FETCHBUS_FETCH_ALLOW", "127.0.0.0/8");
    File log = Path.of("target", "crash-resume-" + name + ".log").toFile();
    return builder.redirectErrorStream(true).redirectOutput(log).start();
  }

  private static void awaitReady(WebClient client, String base) {
    await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(60), 100, () -> client.getAbs(base + "/health/ready")
        .send().map(r -> r.statusCode() == 200).otherwise(false)), Duration.ofSeconds(65));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
