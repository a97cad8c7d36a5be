package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** The service as a real child JVM (the tests' class path, Main), its output in target/{name}.log. */
final class ChildApp {
  private ChildApp() {
  }

  static Process launch(Path dataDir, int port, String name, String maxHeap) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"),
        Main.class.getName());
    builder.environment().put("FETCHBUS_DATA_DIR", dataDir.toString());
    builder.environment().put("FETCHBUS_HTTP_PORT", Integer.toString(port));
    builder.environment().put("FETCHBUS_FETCH_ALLOW", "127.0.0.0/8");
    File log = Path.of("target", name + ".log").toFile();
    return builder.redirectErrorStream(true).redirectOutput(log).start();
  }

  static void awaitReady(Vertx vertx, WebClient client, String base) {
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(60), 100, () -> client.getAbs(base + "/health/ready")
        .send().map(r -> r.statusCode() == 200).otherwise(false)), Duration.ofSeconds(65));
  }
}
