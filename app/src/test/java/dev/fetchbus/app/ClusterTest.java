package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three JVMs on one clustered event bus over loopback: node A runs HTTP, the store (on its embedded PostgreSQL),
 * migrations and reports but no fetcher; nodes B1 and B2 run only the fetcher (and their management port) and no
 * database. One big job is fetched by both fetch nodes at once, within its perHost limit across them; B1 is killed
 * with SIGKILL mid-job, B2 takes B1's chunks once their lease lapses and the job ends with exactly one result per URL.
 */
class ClusterTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();
  private static final int URLS = 20_000;
  private static final int PER_HOST = 8;
  /** Three sweep intervals of the nodes' config below. */
  private static final long LEASE_MS = 1_500;
  private static final Pattern RESULTS = Pattern.compile("fetchbus_results_total\\{[^}]*} (\\S+)");

  @Test
  void oneJobRunsOnBothFetchNodesAndTheSurvivorFinishesItWhenOneDies() throws Exception {
    int httpPort = TestApp.freePort();
    int clusterPortA = TestApp.freePort();
    String memberA = "127.0.0.1:" + clusterPortA;
    String base = "http://127.0.0.1:" + httpPort;
    WebClient client = WebClient.create(running.vertx);
    Path fetcherDir = TestApp.newDataDir();
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < URLS; n++) {
      urls.add(running.origin.url("/slow/" + n + "?ms=2"));
    }

    Map<String, String> envA = nodeEnv(running.dataDir, clusterPortA, "migrations,store,reports,http");
    envA.put("FETCHBUS_HTTP_PORT", Integer.toString(httpPort));
    ChildService nodeA = ChildService.launch(running.dataDir, "cluster-node-a", envA, List.of(), "--cluster");
    List<ChildService> fetchers = new ArrayList<>();
    try {
      nodeA.awaitReady(running.vertx, client);
      int[] management = {TestApp.freePort(), TestApp.freePort()};
      for (int n = 0; n < 2; n++) {
        Map<String, String> env = fetchNodeEnv(fetcherDir, memberA);
        env.put("FETCHBUS_ROLES", "fetch,management");
        env.put("FETCHBUS_MANAGEMENT_PORT", Integer.toString(management[n]));
        fetchers.add(ChildService.launch(fetcherDir, "cluster-fetch-" + (n + 1), env, List.of()));
      }
      for (int n = 0; n < 2; n++) {
        ChildService.awaitReady(running.vertx, client, "http://127.0.0.1:" + management[n]);
      }
      running.origin.resetMostSlowAtOnce();
      JsonObject submitted = await(client.postAbs(base + "/api/jobs")
          .sendJsonObject(new JsonObject().put("urls", urls).put("concurrency", 32).put("perHost", PER_HOST)))
          .bodyAsJsonObject();
      String id = submitted.getString("id");

      // A has no fetcher: every stored result was fetched by B1 or B2 and stored through A over the bus.
      JsonObject both = awaitJob(client, base, id, job -> job.getJsonArray("nodes", new JsonArray()).size() == 2);
      assertThat(both.getString("status")).isEqualTo("running");
      awaitJob(client, base, id, job -> job.getInteger("completed") >= URLS * 4 / 10);
      double[] fetched = {resultsCounted(client, management[0]), resultsCounted(client, management[1])};
      double share = 0.3 * (fetched[0] + fetched[1]);
      assertThat(fetched[0]).as("results fetched by B1 of B1's and B2's by 40 %").isGreaterThanOrEqualTo(share);
      assertThat(fetched[1]).as("results fetched by B2 of B1's and B2's by 40 %").isGreaterThanOrEqualTo(share);
      ChildService b1 = fetchers.get(0);
      b1.kill();
      long killedAt = System.nanoTime();
      assertThat(b1.process.isAlive()).isFalse();
      assertThat(fetcherDir.resolve("postgres")).as("a fetch node starts no database").doesNotExist();

      JsonObject waiting = awaitJob(client, base, id, job -> job.getString("waiting") != null);
      assertThat(waiting.getString("waiting")).startsWith("waiting for lease of node " + b1.process.pid() + "@");
      awaitJob(client, base, id, job -> job.getString("waiting") == null);
      assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("B1's chunks taken over")
          .isLessThan(Duration.ofMillis(LEASE_MS + 10_000));
      awaitJob(client, base, id, job -> job.getString("status").equals("done"));

      JsonObject done = await(client.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(done.getInteger("completed")).isEqualTo(URLS);
      assertThat(done.getInteger("succeeded")).isEqualTo(URLS);
      nodeA.assertOneResultPerUrl(client, id, URLS);
      assertThat(running.origin.mostSlowAtOnce()).as("requests to the one host at once, across both nodes")
          .isPositive().isLessThanOrEqualTo(PER_HOST);

      String metrics = await(client.getAbs("http://127.0.0.1:" + management[1] + "/metrics").send()).bodyAsString();
      assertThat(metrics).contains("jvm_memory_used_bytes", "process_cpu_usage", "fetchbus_fetch_in_flight",
          "fetchbus_jobs_running");
      assertThat(resultsCounted(client, management[1])).as("B2 fetched more once alone").isGreaterThan(fetched[1]);
      assertThat(fetchers.get(1).terminate()).as("the fetch node leaves the cluster and exits 0").isZero();
      assertThat(nodeA.terminate()).as("node A exits 0").isZero();
    } finally {
      for (ChildService fetcher : fetchers) {
        fetcher.close();
      }
      nodeA.close();
      client.close();
      TestApp.delete(fetcherDir);
    }
  }

  /** The results a fetch node counted itself, over every outcome, from its management port's /metrics. */
  private static double resultsCounted(WebClient client, int managementPort) {
    String metrics = await(client.getAbs("http://127.0.0.1:" + managementPort + "/metrics").send()).bodyAsString();
    Matcher matcher = RESULTS.matcher(metrics);
    double sum = 0;
    while (matcher.find()) {
      sum += Double.parseDouble(matcher.group(1));
    }
    return sum;
  }

  /** A node on loopback whose cluster settings (port, quick join and failure detection) come from a config file. */
  private static Map<String, String> nodeEnv(Path dataDir, int clusterPort, String roles) throws IOException {
    Path config = dataDir.resolve("cluster-" + clusterPort + ".json");
    Files.writeString(config, new JsonObject()
        .put("cluster", new JsonObject().put("port", clusterPort).put("joinWaitSeconds", 1)
            .put("connectTimeoutSeconds", 2).put("heartbeatSeconds", 1).put("maxNoHeartbeatSeconds", 5))
        .put("fetch", new JsonObject().put("sweepIntervalMs", 500))
        .encode());
    Map<String, String> env = new HashMap<>();
    env.put("FETCHBUS_CONFIG", config.toString());
    env.put("FETCHBUS_DATA_DIR", dataDir.toString());
    env.put("FETCHBUS_CLUSTER_HOST", "127.0.0.1");
    env.put("FETCHBUS_ROLES", roles);
    return env;
  }

  /** Fetchers only, joining through node A, on a fresh cluster port each time. */
  private static Map<String, String> fetchNodeEnv(Path dataDir, String memberA) throws IOException {
    Map<String, String> env = nodeEnv(dataDir, TestApp.freePort(), "fetch");
    env.put("FETCHBUS_CLUSTER", "true");
    env.put("FETCHBUS_CLUSTER_MEMBERS", memberA);
    env.put("FETCHBUS_FETCH_ALLOW", "127.0.0.0/8");
    return env;
  }

  /** Polls the job every 50 ms (bounded) until the condition holds; returns the job as it then was. */
  private static JsonObject awaitJob(WebClient client, String base, String id, Predicate<JsonObject> condition) {
    JsonObject[] seen = new JsonObject[1];
    await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(180), 50, () -> client.getAbs(base + "/api/jobs/" + id)
        .send().map(r -> {
          seen[0] = r.bodyAsJsonObject();
          return condition.test(seen[0]);
        })), Duration.ofSeconds(185));
    return seen[0];
  }
}
