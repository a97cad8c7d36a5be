package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.stats.api.StatsApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-host success rates from a real job through the whole service, read on fetchbus.stats.hosts. */
class StatsTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.started();

  @Test
  void aJobsResultsShowUpAsPerHostSuccessRates() throws Exception {
    String closed = "http://127.0.0.1:" + TestApp.freePort();
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < 6; n++) {
      urls.add(running.origin.url("/obj/" + n));
    }
    urls.add(running.origin.url("/missing/1"));
    urls.add(running.origin.url("/missing/2"));
    for (int n = 0; n < 3; n++) {
      urls.add(closed + "/nothing-listens/" + n);
    }
    String id = running.api.submit(new JsonObject().put("urls", new JsonArray(urls)).put("retries", 0));
    assertThat(running.api.awaitEnd(id, Duration.ofSeconds(60)).getString("status")).isEqualTo("done");

    JsonObject stats = running.app.request(StatsApi.HOSTS.address(), new JsonObject());
    String origin = running.origin.url("");
    assertThat(stats.getJsonArray("hosts").getList()).hasSize(2);
    assertThat(stats.getJsonArray("hosts").getJsonObject(0)).isEqualTo(new JsonObject()
        .put("host", origin).put("ok", 6L).put("error", 2L).put("total", 8L).put("successRate", 0.75));
    assertThat(stats.getJsonArray("hosts").getJsonObject(1)).isEqualTo(new JsonObject()
        .put("host", closed).put("ok", 0L).put("error", 3L).put("total", 3L).put("successRate", 0.0));
    assertThat(stats.getInteger("tracked")).isEqualTo(2);
    assertThat(running.app.request(StatsApi.HOSTS.address(), new JsonObject().put("limit", 1))
        .getJsonArray("hosts").getList()).hasSize(1);
  }
}
