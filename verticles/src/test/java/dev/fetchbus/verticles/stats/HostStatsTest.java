package dev.fetchbus.verticles.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.ResultSummary;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostStatsTest {
  private static ResultSummary summary(String host, int ok, int error) {
    ResultSummary.Tally tally = new ResultSummary.Tally();
    for (int i = 0; i < ok; i++) {
      tally.add(host, Outcome.OK);
    }
    for (int i = 0; i < error; i++) {
      tally.add(host, Outcome.HTTP_ERROR);
    }
    // Through JSON, as the event bus carries it.
    return ResultSummary.fromJson(tally.take("job").toJson());
  }

  private static List<String> hosts(JsonObject top) {
    return top.getJsonArray("hosts").stream().map(h -> ((JsonObject) h).getString("host")).toList();
  }

  @Test
  void batchesAddUpPerHostAndTheBusiestComeFirst() {
    HostStats stats = new HostStats(10);
    stats.add(summary("http://a", 3, 1));
    stats.add(summary("http://b", 1, 0));
    stats.add(summary("http://a", 0, 4));

    JsonObject top = stats.top(10);
    assertThat(hosts(top)).containsExactly("http://a", "http://b");
    assertThat(top.getJsonArray("hosts").getJsonObject(0)).isEqualTo(new JsonObject()
        .put("host", "http://a").put("ok", 3L).put("error", 5L).put("total", 8L).put("successRate", 0.375));
    assertThat(top.getJsonArray("hosts").getJsonObject(1).getDouble("successRate")).isEqualTo(1.0);
    assertThat(top.getInteger("tracked")).isEqualTo(2);
    assertThat(hosts(stats.top(1))).containsExactly("http://a");
  }

  @Test
  void theLeastRecentlySeenHostIsForgottenPastTheBound() {
    HostStats stats = new HostStats(2);
    stats.add(summary("http://a", 100, 0));
    stats.add(summary("http://b", 1, 0));
    stats.add(summary("http://a", 1, 0)); // a seen again: b is now the least recent
    stats.add(summary("http://c", 1, 0));

    assertThat(hosts(stats.top(10))).containsExactly("http://a", "http://c");
    assertThat(stats.top(10).getInteger("tracked")).isEqualTo(2);
  }

  @Test
  void aTallyHandsOverEachResultOnce() {
    ResultSummary.Tally tally = new ResultSummary.Tally();
    tally.add("http://a", Outcome.OK);
    tally.add("http://a", Outcome.TIMEOUT_IDLE);
    assertThat(tally.take("j").hosts()).containsEntry("http://a", new ResultSummary.Counts(1, 1));
    assertThat(tally.isEmpty()).isTrue();
  }
}
