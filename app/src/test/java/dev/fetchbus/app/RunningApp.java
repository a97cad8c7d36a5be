package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;

import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test class shares: a strict Vert.x for the test's own clients and servers, a loopback origin, a fresh
 * data dir, and (unless the tests start it themselves) the app with an API client. Register it in a static field.
 */
final class RunningApp implements BeforeAllCallback, AfterAllCallback {
  private final boolean startApp;
  Vertx vertx;
  TestOrigin origin;
  Path dataDir;
  TestApp app;
  Api api;

  private RunningApp(boolean startApp) {
    this.startApp = startApp;
  }

  static RunningApp started() {
    return new RunningApp(true);
  }

  /** Everything but the app: for tests that start and stop it themselves. */
  static RunningApp notStarted() {
    return new RunningApp(false);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    vertx = StrictVertx.create();
    origin = await(TestOrigin.start(vertx));
    dataDir = TestApp.newDataDir();
    if (startApp) {
      app = TestApp.start(dataDir);
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
