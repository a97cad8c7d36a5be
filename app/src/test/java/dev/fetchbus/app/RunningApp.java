package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;

import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test class shares: a strict Vert.x for the test's own clients and servers, a loopback origin, a fresh
 * data dir, and (unless the tests start it themselves) the app with an API client. Register it in a static field.
 */
final class RunningApp implements BeforeAllCallback, AfterAllCallback {
  private final boolean startApp;
  private final Map<String, String> environment;
  private final Consumer<JsonObject> adjust;
  Vertx vertx;
  TestOrigin origin;
  Path dataDir;
  TestApp app;
  Api api;

  private RunningApp(boolean startApp, Map<String, String> environment, Consumer<JsonObject> adjust) {
    this.startApp = startApp;
    this.environment = environment;
    this.adjust = adjust;
  }

  static RunningApp started() {
    return started(Map.of());
  }

  /** The app with more environment variables, e.g. FETCHBUS_BRIDGE_PORT. */
  static RunningApp started(Map<String, String> environment) {
    return new RunningApp(true, environment, config -> { });
  }

  /** The app with the test's own changes to the configuration. */
  static RunningApp started(Consumer<JsonObject> adjust) {
    return new RunningApp(true, Map.of(), adjust);
  }

  /** Everything but the app: for tests that start and stop it themselves. */
  static RunningApp notStarted() {
    return new RunningApp(false, Map.of(), config -> { });
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    vertx = StrictVertx.create();
    origin = await(TestOrigin.start(vertx));
    dataDir = TestApp.newDataDir();
    if (startApp) {
      app = TestApp.start(dataDir, environment, adjust);
      api = new Api(vertx, app);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (app != null) {
        api.close();
        app.close();
      }
    } finally {
      await(vertx.close());
      TestApp.delete(dataDir);
    }
  }
}
