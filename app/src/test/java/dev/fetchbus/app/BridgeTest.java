package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The TCP event-bus bridge with the Python client users get (examples/bridge_client.py, standard library only, run
 * by the machine's python3): a job submitted over the bridge runs to its end while the client prints its progress;
 * without the API token the bridge refuses the client's frames.
 */
class BridgeTest {
  private static final String TOKEN = "bridge-test-token";
  private static final int BRIDGE_PORT = freePort();
  private static final Path CLIENT = Path.of("..", "examples", "bridge_client.py").toAbsolutePath().normalize();

  @RegisterExtension
  static final RunningApp running = RunningApp.started(Map.of(
      "FETCHBUS_BRIDGE_PORT", Integer.toString(BRIDGE_PORT),
      "FETCHBUS_API_TOKENS", TOKEN));

  @Test
  void aJobSubmittedOverTheBridgeRunsToItsEndWhileTheClientPrintsItsProgress() throws Exception {
    List<String> args = new ArrayList<>(List.of("--token", TOKEN, "submit", "--concurrency", "4", "--per-host", "4"));
    for (int n = 0; n < 40; n++) {
      args.add(running.origin.url("/slow/" + n + "?ms=60"));
    }
    Client run = Client.run("submit", args);

    assertThat(run.exitCode).as(run.describe()).isZero();
    List<String> lines = run.stdout.lines().toList();
    assertThat(lines.get(0)).as(run.describe()).startsWith("submitted ");
    String id = lines.get(0).substring("submitted ".length());
    List<JsonObject> events = lines.subList(1, lines.size()).stream()
        .peek(line -> assertThat(line).startsWith("progress "))
        .map(line -> new JsonObject(line.substring("progress ".length())))
        .toList();
    // 40 URLs of 60 ms, 4 at a time, with events every 250 ms: the client sees the job while it runs, not just its end.
    assertThat(events).as(run.describe()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(events).allSatisfy(e -> assertThat(e.getString("id")).isEqualTo(id));
    assertThat(events.subList(0, events.size() - 1)).allSatisfy(e -> assertThat(e.getBoolean("final")).isFalse());
    // The stored job the client reads and the live events race; what it prints must still never go backwards.
    assertThat(events).extracting(e -> e.getInteger("completed")).as(run.describe()).isSorted();
    JsonObject last = events.get(events.size() - 1);
    assertThat(last.getBoolean("final")).isTrue();
    assertThat(last.getString("status")).isEqualTo("done");
    assertThat(last.getInteger("completed")).isEqualTo(40);
    assertThat(last.getInteger("succeeded")).isEqualTo(40);
    assertThat(running.app.jobRows("id = '" + id + "' AND status = 'done' AND succeeded = 40")).isEqualTo(1);
  }

  @Test
  void withoutTheTokenTheBridgeRefusesTheFrame() throws Exception {
    long jobsBefore = running.app.jobRows();
    Client run = Client.run("no-token", List.of("submit", running.origin.url("/obj/1")));

    assertThat(run.exitCode).as(run.describe()).isEqualTo(1);
    assertThat(run.stdout).as(run.describe()).doesNotContain("submitted");
    assertThat(run.stderr).as(run.describe()).contains("blocked by bridgeEvent handler");
    assertThat(running.app.jobRows()).isEqualTo(jobsBefore);

    Client wrong = Client.run("wrong-token", List.of("--token", "not-" + TOKEN, "watch", "0b6f2c1e-8a43-4c3e-9d51-5f7a0e2b9c10"));
    assertThat(wrong.exitCode).as(wrong.describe()).isEqualTo(1);
    assertThat(wrong.stderr).as(wrong.describe()).contains("blocked by bridgeEvent handler");
  }

  @Test
  void anInvalidJobIsBadInputOverTheBridgeToo() throws Exception {
    Client run = Client.run("invalid", List.of("--token", TOKEN, "submit", "ftp://example.org/"));

    assertThat(run.exitCode).as(run.describe()).isEqualTo(1);
    assertThat(run.stderr).as(run.describe()).contains("not absolute http(s) URLs").contains("failure code 1");
  }

  /** One run of the Python client, bounded; its output is kept in target/ for when a test fails. */
  private record Client(int exitCode, String stdout, String stderr) {
    static Client run(String name, List<String> args) throws Exception {
      List<String> command = new ArrayList<>(List.of("python3", CLIENT.toString(), "--port", Integer.toString(BRIDGE_PORT)));
      command.addAll(args);
      Path out = Path.of("target", "bridge-client-" + name + ".out");
      Path err = Path.of("target", "bridge-client-" + name + ".err");
      Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the bridge client did not finish in 60 s: " + Files.readString(out));
      }
      return new Client(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    String describe() {
      return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  private static int freePort() {
    try {
      return TestApp.freePort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
