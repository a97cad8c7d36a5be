package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** submit, watch, results, cancel and jobs against the running service over its HTTP API, in this process. */
class ClientCommandsTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.started();

  @Test
  void submitWaitsForTheJobAndResultsJobsAndWatchReadIt() throws IOException {
    Path list = Files.write(running.dataDir.resolve("client-urls.txt"), List.of(running.origin.url("/obj/1"),
        "# a comment", running.origin.url("/obj/2"), running.origin.url("/missing/3")));
    Run submitted = run("submit", list.toString(), "--wait", "--quiet", "--concurrency", "2", "-H", "X-Probe: cli");
    assertThat(submitted.status).as(submitted.err).isEqualTo(2);
    String id = submitted.out.lines().findFirst().orElseThrow();
    assertThat(running.api.job(id).getInteger("total")).isEqualTo(3);

    Run errors = run("results", id, "--format", "csv", "--outcome", "error");
    assertThat(errors.status).as(errors.err).isZero();
    assertThat(errors.out.lines().toList()).hasSize(2).first().asString().startsWith("seq,url,outcome");
    assertThat(errors.out).contains("/missing/3", "http_error");
    Run all = run("results", id);
    assertThat(all.out.lines().count()).isEqualTo(3);
    long bytes = all.out.lines().mapToLong(line -> new JsonObject(line).getLong("bytes")).sum();
    assertThat(running.api.job(id).getLong("bytes")).as("the job counts its results' bytes").isEqualTo(bytes)
        .isGreaterThanOrEqualTo(TestOrigin.object(1).length + TestOrigin.object(2).length);

    assertThat(run("jobs").out).contains(id, "done", "3/3");
    Run watched = run("watch", id);
    assertThat(watched.status).isEqualTo(2);
    assertThat(watched.out).contains(id + " done: 2 ok, 1 failed of 3");
    assertThat(watched.err).as("the plain progress line").contains("3/3 done, ok 2, failed 1, ", " KiB at ", "/s, ");
  }

  @Test
  void cancelEndsARunningJobAndARefusalExitsWith1() throws IOException {
    List<String> urls = IntStream.range(0, 20).mapToObj(n -> running.origin.url("/slow/" + n + "?ms=1000")).toList();
    Path list = Files.write(running.dataDir.resolve("client-slow.txt"), urls);
    Run submitted = run("submit", list.toString(), "--concurrency", "1");
    assertThat(submitted.status).as(submitted.err).isZero();
    String id = submitted.out.strip();
    Run cancelled = run("cancel", id);
    assertThat(cancelled.status).as(cancelled.err).isZero();
    assertThat(cancelled.out).startsWith(id + " cancelled");
    assertThat(run("watch", id, "--quiet").status).isEqualTo(2);

    Run unknown = run("results", "00000000-0000-0000-0000-000000000000");
    assertThat(unknown.status).isEqualTo(1);
    assertThat(unknown.err).startsWith("404");
    Run nobody = run("jobs", "--server", "http://127.0.0.1:" + TestApp.freePort());
    assertThat(nobody.status).isEqualTo(1);
    assertThat(nobody.err).contains("cannot reach http://127.0.0.1:");
  }

  private record Run(int status, String out, String err) {
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.client(args, Map.of("FETCHBUS_SERVER", running.app.url("")),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
