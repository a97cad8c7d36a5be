package dev.fetchbus.verticles.stats;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.ResultSummary;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.stats.api.StatsApi;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stats verticle alone, through its contract: it hears the fetcher's result summaries on {@link FetchApi#RESULTS}
 * (published here as a fetch node would) and answers {@link StatsApi#HOSTS} through its client, with no other
 * verticle deployed.
 */
class StatsVerticleTest {
  private Vertx vertx;
  private StatsApi stats;

  @BeforeEach
  void deploy() {
    vertx = StrictVertx.create();
    await(vertx.deployVerticle(new StatsVerticle(), new DeploymentOptions()
        .setConfig(new JsonObject().put("stats", new JsonObject().put("maxHosts", 2)))));
    stats = StatsApi.client(new Bus(vertx, 5_000));
  }

  @AfterEach
  void close() {
    await(vertx.close());
  }

  @Test
  void countsWhatRunsPublishAndKeepsAtMostMaxHosts() {
    FetchApi.RESULTS.publish(vertx, new ResultSummary("job-1", Map.of(
        "https://a.example", new ResultSummary.Counts(3, 1), "https://b.example", new ResultSummary.Counts(1, 0))));
    FetchApi.RESULTS.publish(vertx, new ResultSummary("job-2", Map.of(
        "https://a.example", new ResultSummary.Counts(4, 0))));
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(10), 20,
        () -> stats.hosts(null).map(top -> top.getJsonArray("hosts").getJsonObject(0).getLong("total") == 8)));

    JsonObject top = await(stats.hosts(1));
    assertThat(top.getJsonArray("hosts")).hasSize(1);
    JsonObject a = top.getJsonArray("hosts").getJsonObject(0);
    assertThat(a.getString("host")).isEqualTo("https://a.example");
    assertThat(a.getLong("ok")).isEqualTo(7);
    assertThat(a.getLong("error")).isEqualTo(1);
    assertThat(a.getDouble("successRate")).isEqualTo(7 / 8.0);
    assertThat(top.getInteger("tracked")).isEqualTo(2);

    // A third host: the least recently seen one is forgotten, so at most maxHosts are kept.
    FetchApi.RESULTS.publish(vertx, new ResultSummary("job-3", Map.of(
        "https://c.example", new ResultSummary.Counts(0, 2))));
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(10), 20, () -> stats.hosts(null)
        .map(now -> now.getJsonArray("hosts").stream().anyMatch(h -> "https://c.example".equals(
            ((JsonObject) h).getString("host"))))));
    JsonObject after = await(stats.hosts(null));
    assertThat(after.getInteger("tracked")).isEqualTo(2);
    assertThat(after.getJsonArray("hosts").stream().map(h -> ((JsonObject) h).getString("host")))
        .containsExactly("https://a.example", "https://c.example");
  }

  @Test
  void aLimitBelowOneIsBadInput() {
    Throwable refused = await(stats.hosts(0).<Throwable>map(reply -> null).recover(Future::succeededFuture));
    assertThat(refused).isInstanceOf(ReplyException.class);
    assertThat(FailureCode.of((ReplyException) refused)).isEqualTo(FailureCode.BAD_INPUT);
  }
}
