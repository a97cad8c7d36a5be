package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/** The service as a real child JVM (Main, on this test's class path), with its output in a log file under target/. */
final class ChildService implements AutoCloseable {
  final Process process;
  final int port;
  final Path log;

  ChildService(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts Main with {@code env} on top of a loopback-only test environment (the data dir, a free HTTP port, fetches
   * allowed to 127.0.0.0/8); {@code jvmArgs} go before the class name, {@code args} after it.
   */
  static ChildService launch(Path dataDir, String name, Map<String, String> env, List<String> jvmArgs,
                             String... args) throws IOException {
    int port = env.containsKey("FETCHBUS_HTTP_PORT") ? Integer.parseInt(env.get("FETCHBUS_HTTP_PORT")) : TestApp.freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx256m"));
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> all = new HashMap<>(Map.of(
        "FETCHBUS_DATA_DIR", dataDir.toString(),
        "FETCHBUS_HTTP_PORT", Integer.toString(port),
        "FETCHBUS_FETCH_ALLOW", "127.0.0.0/8"));
    all.putAll(env);
    builder.environment().putAll(all);
    Path log = Path.of("target", "child-" + name + ".log");
    return new ChildService(builder.redirectErrorStream(true).redirectOutput(log.toFile()).start(), port, log);
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  /** Waits (bounded) until /health/ready answers 200. */
  void awaitReady(Vertx vertx, WebClient client) {
    awaitReady(vertx, client, base());
  }

  /** Waits (bounded) until /health/ready under {@code base} (an HTTP or management port) answers 200. */
  static void awaitReady(Vertx vertx, WebClient client, String base) {
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(60), 100, () -> client.getAbs(base + "/health/ready")
        .send().map(r -> r.statusCode() == 200).otherwise(false)), Duration.ofSeconds(65));
  }

  /** Asserts that job {@code id} has exactly one result per URL: seq 0 to {@code urls} - 1, in order, each once. */
  void assertOneResultPerUrl(WebClient client, String id, int urls) {
    String body = await(client.getAbs(base() + "/api/jobs/" + id + "/results").send()).bodyAsString();
    List<Integer> seqs = body.lines().map(line -> new JsonObject(line).getInteger("seq")).toList();
    assertThat(seqs).containsExactlyElementsOf(IntStream.range(0, urls).boxed().toList());
  }

  /** SIGTERM, then the exit code (bounded wait; SIGKILL and a failed assertion if it does not stop). */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill();
      throw new AssertionError("the service did not stop within 60 s of SIGTERM");
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

}
