package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job's own request headers and its per-host delay, seen from the origin: every fetch carries the headers (a
 * User-Agent among them replaces the fetcher's), a redirect to another origin drops Authorization and Cookie, and
 * fetches to one host start at least the delay apart.
 */
class JobHeadersTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.started();
  private static TestOrigin other;

  @BeforeAll
  static void startOtherOrigin() {
    other = await(TestOrigin.start(running.vertx));
  }

  @AfterAll
  static void stopOtherOrigin() {
    await(other.close());
  }

  @Test
  void everyFetchCarriesTheJobsHeadersAndCredentialsStayWithTheirOrigin() {
    JsonObject headers = new JsonObject().put("X-Probe", "p-1").put("User-Agent", "probe/1.0")
        .put("Authorization", "Bearer secret").put("Cookie", "s=1");
    String id = running.api.submit(new JsonObject().put("headers", headers).put("urls", new JsonArray()
        .add(running.origin.url("/seen/1")).add(running.origin.url("/to/" + other.port() + "/2"))));
    JsonObject job = running.api.awaitEnd(id, Duration.ofSeconds(30));
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getInteger("succeeded")).isEqualTo(2);

    List<TestOrigin.Seen> here = running.origin.seen().stream().filter(s -> s.path().equals("/seen/1")).toList();
    assertThat(here).hasSize(1);
    assertThat(here.get(0).headers().getAll("user-agent")).containsExactly("probe/1.0");
    assertThat(here.get(0).headers().get("x-probe")).isEqualTo("p-1");
    assertThat(here.get(0).headers().get("authorization")).isEqualTo("Bearer secret");
    assertThat(here.get(0).headers().get("cookie")).isEqualTo("s=1");

    List<TestOrigin.Seen> there = other.seen().stream().filter(s -> s.path().equals("/seen/2")).toList();
    assertThat(there).as("reached through the redirect").hasSize(1);
    assertThat(there.get(0).headers().get("x-probe")).isEqualTo("p-1");
    assertThat(there.get(0).headers().contains("authorization")).as("credentials left behind").isFalse();
    assertThat(there.get(0).headers().contains("cookie")).isFalse();
  }

  @Test
  void fetchesToOneHostStartAtLeastTheDelayApart() {
    List<String> urls = IntStream.range(10, 16).mapToObj(n -> other.url("/seen/" + n)).toList();
    String id = running.api.submit(new JsonObject().put("urls", urls).put("concurrency", 8).put("perHost", 8)
        .put("perHostDelayMs", 150));
    assertThat(running.api.awaitEnd(id, Duration.ofSeconds(30)).getInteger("succeeded")).isEqualTo(6);
    List<Long> arrivals = other.seen().stream().filter(s -> urls.stream().anyMatch(u -> u.endsWith(s.path())))
        .map(TestOrigin.Seen::nanos).sorted().toList();
    assertThat(arrivals).hasSize(6);
    for (int i = 1; i < arrivals.size(); i++) {
      // The fetcher spaces the starts by 150 ms; arrivals may differ from starts by the loopback's jitter.
      assertThat(Duration.ofNanos(arrivals.get(i) - arrivals.get(i - 1))).as("gap %d", i)
          .isGreaterThan(Duration.ofMillis(120));
    }
  }

  /** The delay spaces the starts, not the fetches: a slow host still has several fetches in flight. */
  @Test
  void aDelayedHostStillHasSeveralFetchesInFlight() {
    running.origin.resetMostSlowAtOnce();
    List<String> urls = IntStream.range(20, 24).mapToObj(n -> running.origin.url("/slow/" + n + "?ms=800")).toList();
    String id = running.api.submit(new JsonObject().put("urls", urls).put("concurrency", 8).put("perHost", 4)
        .put("perHostDelayMs", 100));
    assertThat(running.api.awaitEnd(id, Duration.ofSeconds(30)).getInteger("succeeded")).isEqualTo(4);
    // Started 100 ms apart, each answered after 800 ms: all four overlap (one waiting for the last to end would
    // have had one at a time).
    assertThat(running.origin.mostSlowAtOnce()).isGreaterThanOrEqualTo(3);
  }
}
