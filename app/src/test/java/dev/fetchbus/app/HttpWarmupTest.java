package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server has served its own warm-up requests, all of them answered, by the time the start returns. */
class HttpWarmupTest {
  private static final int REQUESTS = 600;
  private static final Pattern HELLO_COUNT = Pattern.compile(
      "fetchbus_http_server_requests_seconds_count\\{[^}]*code=\"200\"[^}]*route=\"/hello/:name\"[^}]*} (\\S+)");

  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();

  @Test
  void startServesTheWarmUpBeforeItReturns() throws Exception {
    Path dataDir = TestApp.newDataDir();
    TestApp app = TestApp.start(dataDir, config -> config.getJsonObject("http").getJsonObject("warmup")
        .put("requests", REQUESTS).put("connections", 8).put("maxMs", 60_000));
    Api api = new Api(running.vertx, app);
    try {
      assertThat(api.get("/health/ready").statusCode()).isEqualTo(200);
      HttpResponse<Buffer> metrics = api.get("/metrics");
      Matcher count = HELLO_COUNT.matcher(metrics.bodyAsString());
      assertThat(count.find()).as("a /hello/:name 200 count in /metrics").isTrue();
      assertThat(Double.parseDouble(count.group(1))).isEqualTo(REQUESTS);
    } finally {
      api.close();
      app.close();
      TestApp.delete(dataDir);
    }
  }
}
