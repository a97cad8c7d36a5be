package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service as a real child JVM (Main on the test class path), configured by FETCHBUS_* variables, its output in
 * {@code target/<name>.log}: for tests that kill it with SIGKILL or run several nodes.
 */
final class ChildApp {
  private ChildApp() {
  }

  static Process launch(String name, Map<String, String> env, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    File log = Path.of("target", name + ".log").toFile();
    return builder.redirectErrorStream(true).redirectOutput(log).start();
  }

  /** Waits (bounded) until {@code base}/health/ready answers 200. */
  static void awaitReady(Vertx vertx, WebClient client, String base) {
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(60), 100, () -> client.getAbs(base + "/health/ready")
        .send().map(r -> r.statusCode() == 200).otherwise(false)), Duration.ofSeconds(65));
  }
}
