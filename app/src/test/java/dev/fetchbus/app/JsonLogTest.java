package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** FETCHBUS_LOG_FORMAT=json, in a real child process: every line is JSON, and request lines carry the request id. */
class JsonLogTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();

  @Test
  void logLinesAreJsonAndTheAccessLineNamesTheRequest() throws Exception {
    WebClient client = WebClient.create(running.vertx);
    ChildService service = ChildService.launch(running.dataDir, "json-log", Map.of("FETCHBUS_LOG_FORMAT", "json"),
        List.of());
    try {
      service.awaitReady(running.vertx, client);
      int status = await(client.getAbs(service.base() + "/api/jobs/00000000-0000-0000-0000-000000000001")
          .putHeader("X-Request-Id", "json-log-test-1").send()).statusCode();
      assertThat(status).isEqualTo(404);
    } finally {
      client.close();
      assertThat(service.terminate()).isZero();
    }
    List<JsonObject> lines = service.output().lines().filter(line -> !line.isBlank()).map(JsonObject::new).toList();
    assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line.getString("level")).isNotBlank());
    JsonObject access = lines.stream().filter(line -> "fetchbus.access".equals(line.getString("logger_name")))
        .filter(line -> "json-log-test-1".equals(line.getString("requestId"))).findFirst().orElseThrow();
    assertThat(access.getString("method")).isEqualTo("GET");
    assertThat(access.getInteger("status")).isEqualTo(404);
    assertThat(access.getString("path")).isEqualTo("/api/jobs/00000000-0000-0000-0000-000000000001");
    assertThat(access.getValue("durationMs")).isInstanceOf(Number.class);
  }
}
