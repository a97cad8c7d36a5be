package dev.fetchbus.verticles.fetch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.JdkSSLEngineOptions;

/**
 * The JVM's TLS set-up (security providers, the default trust store, Vert.x's list of JDK cipher suites) costs a few
 * hundred milliseconds the first time, and the first https URL would pay it on an event loop, stalling every fetch
 * there. This pays it on a worker instead, once, by building the client TLS context the fetch client builds.
 */
final class TlsWarmup {
  private TlsWarmup() {
  }

  static Future<Void> run(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      new JdkSSLEngineOptions().sslContextFactory().forClient(true).create();
      return null;
    }, false);
  }
}
