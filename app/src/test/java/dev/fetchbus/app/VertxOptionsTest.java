package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.fetchbus.verticles.testing.StrictVertx.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Vert.x options the configuration yields: the blocked-thread checker in normal and debug mode, metrics. */
class VertxOptionsTest {
  @Test
  void byDefaultTheCheckerUsesTheVertxSectionAndMetricsAreOn() {
    VertxOptions options = FetchbusApp.vertxOptions(ConfigLoader.load(Map.of()));
    assertThat(options.getMaxEventLoopExecuteTimeUnit().toMillis(options.getMaxEventLoopExecuteTime())).isEqualTo(2_000);
    assertThat(options.getBlockedThreadCheckIntervalUnit().toMillis(options.getBlockedThreadCheckInterval()))
        .isEqualTo(1_000);
    assertThat(options.getWarningExceptionTimeUnit().toMillis(options.getWarningExceptionTime())).isEqualTo(5_000);
    assertThat(options.getMetricsOptions()).isInstanceOf(MicrometerMetricsOptions.class);
    assertThat(options.getMetricsOptions().isEnabled()).isTrue();
    // Fetchbus times HTTP requests itself (http/RequestTracker); Vert.x's per-request server meters are opt-in.
    assertThat(((MicrometerMetricsOptions) options.getMetricsOptions())
        .isMetricsCategoryDisabled(MetricsDomain.HTTP_SERVER)).isTrue();
    // The fetcher counts results itself (fetch/FetchMetrics); Vert.x's per-request client meters are opt-in too.
    assertThat(((MicrometerMetricsOptions) options.getMetricsOptions())
        .isMetricsCategoryDisabled(MetricsDomain.HTTP_CLIENT)).isTrue();
    JsonObject config = ConfigLoader.load(Map.of());
    config.getJsonObject("metrics").put("vertxHttpClient", true);
    assertThat(((MicrometerMetricsOptions) FetchbusApp.vertxOptions(config).getMetricsOptions())
        .isMetricsCategoryDisabled(MetricsDomain.HTTP_CLIENT)).isFalse();
  }

  @Test
  void vertxHttpServerMetersCanBeTurnedOnAndAreLabelledByRouteTemplate() {
    JsonObject config = ConfigLoader.load(Map.of());
    config.getJsonObject("metrics").put("vertxHttpServer", true);
    VertxOptions options = FetchbusApp.vertxOptions(config);
    // A registry of its own: the default one may belong to a service another test class runs in this JVM.
    ((MicrometerMetricsOptions) options.getMetricsOptions()).setRegistryName("vertx-options-test");
    Vertx vertx = Vertx.vertx(options);
    try {
      Router router = Router.router(vertx);
      router.get("/things/:id").handler(ctx -> ctx.response().end("thing"));
      HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
      await(vertx.createHttpClient().request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/things/42")
          .compose(request -> request.send().compose(HttpClientResponse::body)));
      String scrape = ((PrometheusMeterRegistry) BackendRegistries.getNow("vertx-options-test")).scrape();
      assertThat(scrape).containsPattern("vertx_http_server_requests_total\\{[^}]*route=\"/things/:id\"[^}]*} 1\\.0")
          .doesNotContain("/things/42");
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void debugModeReportsAnyTaskOverTheThresholdWithItsStackTrace() {
    VertxOptions options = FetchbusApp.vertxOptions(ConfigLoader.load(Map.of("FETCHBUS_DEBUG", "true")));
    assertThat(options.getMaxEventLoopExecuteTimeUnit().toMillis(options.getMaxEventLoopExecuteTime())).isEqualTo(100);
    assertThat(options.getBlockedThreadCheckIntervalUnit().toMillis(options.getBlockedThreadCheckInterval()))
        .isEqualTo(50);
    assertThat(options.getWarningExceptionTimeUnit().toMillis(options.getWarningExceptionTime())).isEqualTo(100);
    assertThat(options.getMaxEventLoopExecuteTimeUnit()).isEqualTo(TimeUnit.MILLISECONDS);
  }

  @Test
  void metricsCanBeTurnedOff() {
    var config = ConfigLoader.load(Map.of());
    config.getJsonObject("metrics").put("enabled", false);
    assertThat(FetchbusApp.vertxOptions(config).getMetricsOptions().isEnabled()).isFalse();
  }
}
