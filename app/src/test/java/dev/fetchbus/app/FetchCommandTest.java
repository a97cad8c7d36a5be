package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code java -jar fetchbus.jar fetch FILE}: the service started in-process, one job, results out, an exit status. */
class FetchCommandTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();

  @Test
  void aListWithABadLineAndAMissingPageFetchesTheRestAndExitsWith2() throws Exception {
    Path dataDir = TestApp.newDataDir();
    try {
      List<String> lines = new ArrayList<>(List.of("# objects", ""));
      for (int n = 0; n < 5; n++) {
        lines.add(running.origin.url("/obj/" + n));
      }
      lines.add("ftp://example.org/file");
      lines.add(running.origin.url("/missing/1"));
      Path list = Files.write(dataDir.resolve("urls.txt"), lines);
      Path results = dataDir.resolve("results.ndjson");
      Run run = fetch(dataDir, list.toString(), "--allow", "127.0.0.0/8", "--out", results.toString());

      assertThat(run.status).as(run.err).isEqualTo(2);
      assertThat(run.err).contains("line 8: not an http or https URL: ftp://example.org/file");
      assertThat(run.out).contains("ok               5").contains("http_error       1");
      List<JsonObject> rows = Files.readAllLines(results).stream().map(JsonObject::new).toList();
      assertThat(rows).hasSize(6);
      for (int n = 0; n < 5; n++) {
        assertThat(rows.get(n).getString("url")).isEqualTo(running.origin.url("/obj/" + n));
        assertThat(rows.get(n).getString("sha256")).isEqualTo(TestOrigin.sha256(TestOrigin.object(n)));
      }
      assertThat(rows.get(5).getString("outcome")).isEqualTo("http_error");
    } finally {
      TestApp.delete(dataDir);
    }
  }

  @Test
  void everyUrlOkExitsWith0AndCsvHasAHeaderRow() throws Exception {
    Path dataDir = TestApp.newDataDir();
    try {
      Path list = Files.write(dataDir.resolve("urls.txt"), List.of(running.origin.url("/obj/1"), running.origin.url("/seen/2")));
      Path results = dataDir.resolve("results.csv");
      // Every job option the command has, so that each reaches the service in the shape it accepts.
      Run run = fetch(dataDir, list.toString(), "--allow", "127.0.0.0/8", "--out", results.toString(), "--quiet",
          "--concurrency", "4", "--per-host", "2", "--retries", "1", "--timeout-ms", "20000", "--max-body", "1000000",
          "--per-host-delay-ms", "10", "-H", "X-Probe: from the command line", "--header", "Accept: */*");
      assertThat(run.status).as(run.err).isZero();
      assertThat(run.out).isEmpty();
      List<String> csv = Files.readAllLines(results);
      assertThat(csv).hasSize(3);
      assertThat(csv.get(0)).startsWith("seq,url,outcome");
      assertThat(running.origin.seen()).last().satisfies(seen -> {
        assertThat(seen.headers().get("x-probe")).isEqualTo("from the command line");
        assertThat(seen.headers().get("accept")).isEqualTo("*/*");
      });
      assertThat(fetch(dataDir, list.toString(), "--header", "no colon").status).isEqualTo(1);

      Path mirror = dataDir.resolve("site");
      Run mirrored = fetch(dataDir, list.toString(), "--allow", "127.0.0.0/8", "--mirror", mirror.toString());
      assertThat(mirrored.status).as(mirrored.err).isZero();
      assertThat(mirrored.out).contains("2 bodies under " + mirror);
      Path host = mirror.resolve("127.0.0.1:" + running.origin.port());
      assertThat(Files.readAllBytes(host.resolve("obj/1"))).isEqualTo(dev.fetchbus.verticles.testing.TestOrigin.object(1));
      assertThat(Files.readAllBytes(host.resolve("seen/2"))).isEqualTo(dev.fetchbus.verticles.testing.TestOrigin.object(2));
    } finally {
      TestApp.delete(dataDir);
    }
  }

  @Test
  void aFileWithNoUrlAndAnUnknownOptionAreUsageErrors() throws Exception {
    Path dataDir = TestApp.newDataDir();
    try {
      Path empty = Files.write(dataDir.resolve("empty.txt"), List.of("# nothing", "not a url"));
      Run none = fetch(dataDir, empty.toString());
      assertThat(none.status).isEqualTo(1);
      assertThat(none.err).contains("line 2").contains("no URL to fetch");
      Run unknown = fetch(dataDir, empty.toString(), "--speed", "fast");
      assertThat(unknown.status).isEqualTo(1);
      assertThat(unknown.err).contains("Unknown option").contains("Usage:");
    } finally {
      TestApp.delete(dataDir);
    }
  }

  @Test
  void resumeFinishesTheJobAnEarlierProcessLeftUnfinished() throws Exception {
    Path dataDir = TestApp.newDataDir();
    try {
      // A node without a fetcher takes the job and stops: the job is left queued in this data dir.
      String id;
      try (TestApp first = TestApp.start(dataDir, "migrations,store,http")) {
        Api api = new Api(running.vertx, first);
        id = api.submit(List.of(running.origin.url("/obj/3"), running.origin.url("/obj/4"), running.origin.url("/obj/5")), 2);
        api.close();
      }
      Run run = fetch(dataDir, "--resume", "--allow", "127.0.0.0/8");
      assertThat(run.status).as(run.err).isZero();
      assertThat(run.err).contains("resuming job " + id + ": 0 of 3 done before");
      assertThat(run.out).contains("job " + id + " done: 3 of 3").contains("ok               3");

      Run nothing = fetch(dataDir, "--resume");
      assertThat(nothing.status).isEqualTo(1);
      assertThat(nothing.err).contains("no unfinished job to resume");
    } finally {
      TestApp.delete(dataDir);
    }
  }

  /**
   * A real {@code fetch} process: Ctrl-C (SIGINT) cancels its job and exits 130; one killed with SIGKILL leaves its
   * job unfinished, and {@code fetch --resume} on the same data dir finishes it. The origin holds the {@code /held}
   * URLs until the end, so both signals land while fetches are in flight.
   */
  @Test
  void ctrlCCancelsWith130AndAKilledRunIsResumed() throws Exception {
    Path dataDir = TestApp.newDataDir();
    try {
      List<String> lines = new ArrayList<>(List.of(running.origin.url("/obj/1"), running.origin.url("/obj/2")));
      for (int n = 0; n < 4; n++) {
        lines.add(running.origin.url("/held/" + n));
      }
      Path list = Files.write(dataDir.resolve("urls.txt"), lines);

      int heldBefore = running.origin.held();
      ChildService interrupted = ChildService.launch(dataDir, "fetch-ctrl-c", Map.of(), List.of(),
          "fetch", list.toString(), "--allow", "127.0.0.0/8");
      awaitHeld(heldBefore + 4);
      // Java sends only SIGTERM and SIGKILL; Ctrl-C is SIGINT, sent by the kill program (procps).
      Process sigint = new ProcessBuilder("kill", "-INT", Long.toString(interrupted.process.pid())).start();
      assertThat(sigint.waitFor(10, TimeUnit.SECONDS) && sigint.exitValue() == 0).isTrue();
      assertThat(interrupted.process.waitFor(60, TimeUnit.SECONDS)).as("the process ends after Ctrl-C").isTrue();
      String output = Files.readString(interrupted.log);
      assertThat(interrupted.process.exitValue()).as(output).isEqualTo(130);
      assertThat(output).containsPattern("job [0-9a-f-]{36} cancelled: [0-9] of 6");
      // The held fetches are cancelled; the two plain ones may have finished or not when the signal came (their
      // responses race it), but every URL has exactly one outcome.
      int ok = count(output, "ok");
      int cancelled = count(output, "cancelled");
      assertThat(cancelled).as(output).isGreaterThanOrEqualTo(4);
      assertThat(ok + cancelled).as(output).isEqualTo(6);

      heldBefore = running.origin.held();
      ChildService killed = ChildService.launch(dataDir, "fetch-killed", Map.of(), List.of(),
          "fetch", list.toString(), "--allow", "127.0.0.0/8");
      awaitHeld(heldBefore + 4);
      killed.process.destroyForcibly();
      assertThat(killed.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

      running.origin.release();
      Run resumed = fetch(dataDir, "--resume", "--allow", "127.0.0.0/8");
      assertThat(resumed.status).as(resumed.err).isZero();
      assertThat(resumed.err).containsPattern("resuming job [0-9a-f-]{36}: [0-2] of 6 done before");
      assertThat(resumed.out).containsPattern("job [0-9a-f-]{36} done: 6 of 6").contains("ok               6");
    } finally {
      TestApp.delete(dataDir);
    }
  }

  private static void awaitHeld(int requests) {
    await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(90), 100,
        () -> Future.succeededFuture(running.origin.held() >= requests)), Duration.ofSeconds(95));
  }

  private record Run(int status, String out, String err) {
  }

  private static Run fetch(Path dataDir, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.fetch(args, Map.of("FETCHBUS_DATA_DIR", dataDir.toString()),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The count on the summary's line for {@code outcome} ({@code "ok               2"}), 0 when it has none. */
  private static int count(String output, String outcome) {
    Matcher line = Pattern.compile("(?m)^" + outcome + " +([0-9]+)$").matcher(output);
    return line.find() ? Integer.parseInt(line.group(1)) : 0;
  }
}
