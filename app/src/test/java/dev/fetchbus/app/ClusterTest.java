package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes in two JVMs on one clustered event bus over loopback: node A runs HTTP, the store (on its embedded
 * PostgreSQL), migrations and reports but no fetcher; node B runs only the fetcher and no database. A job submitted
 * to A is fetched by B; B is killed with SIGKILL mid-job, and a new fetch node finishes the job with exactly one
 * result per URL.
 */
class ClusterTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();
  private static final int URLS = 300;

  @Test
  void aFetchNodeFetchesTheJobsOfAnHttpNodeAndAnotherResumesWhenItDies() throws Exception {
    int httpPort = TestApp.freePort();
    int clusterPortA = TestApp.freePort();
    String memberA = "127.0.0.1:" + clusterPortA;
    String base = "http://127.0.0.1:" + httpPort;
    WebClient client = WebClient.create(running.vertx);
    Path fetcherDir = TestApp.newDataDir();
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < URLS; n++) {
      urls.add(running.origin.url("/slow/" + n + "?ms=100"));
    }

    Map<String, String> envA = nodeEnv(running.dataDir, clusterPortA, "migrations,store,reports,http");
    envA.put("FETCHBUS_HTTP_PORT", Integer.toString(httpPort));
    ChildService nodeA = ChildService.launch(running.dataDir, "cluster-node-a", envA, List.of(), "--cluster");
    ChildService fetcher = null;
    try {
      nodeA.awaitReady(running.vertx, client);
      fetcher = ChildService.launch(fetcherDir, "cluster-node-b", fetchNodeEnv(fetcherDir, memberA), List.of());
      JsonObject submitted = await(client.postAbs(base + "/api/jobs")
          .sendJsonObject(new JsonObject().put("urls", urls).put("concurrency", 10).put("perHost", 10)))
          .bodyAsJsonObject();
      String id = submitted.getString("id");

      // A has no fetcher: every stored result was fetched by B and stored through A over the bus.
      awaitJob(client, base, id, job -> job.getInteger("completed") >= 60);
      fetcher.kill();
      assertThat(fetcher.process.isAlive()).isFalse();
      JsonObject afterKill = await(client.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(afterKill.getString("status")).isEqualTo("running");
      assertThat(afterKill.getInteger("completed")).isLessThan(URLS);
      assertThat(fetcherDir.resolve("postgres")).as("a fetch node starts no database").doesNotExist();

      // The second fetch node also serves its own metrics and health on a management port.
      int management = TestApp.freePort();
      Map<String, String> envB2 = fetchNodeEnv(fetcherDir, memberA);
      envB2.put("FETCHBUS_ROLES", "fetch,management");
      envB2.put("FETCHBUS_MANAGEMENT_PORT", Integer.toString(management));
      fetcher = ChildService.launch(fetcherDir, "cluster-node-b2", envB2, List.of());
      awaitJob(client, base, id, job -> job.getString("status").equals("done"));
      String b2 = "http://127.0.0.1:" + management;
      // Ready: its verticles are up and the store answers it over the cluster's bus.
      assertThat(await(client.getAbs(b2 + "/health/ready").send()).statusCode()).isEqualTo(200);
      String metrics = await(client.getAbs(b2 + "/metrics").send()).bodyAsString();
      assertThat(metrics).contains("jvm_memory_used_bytes", "process_cpu_usage", "fetchbus_fetch_in_flight",
          "fetchbus_jobs_running");
      java.util.regex.Matcher ok = java.util.regex.Pattern.compile(
          "fetchbus_results_total\\{[^}]*outcome=\"ok\"[^}]*} (\\S+)").matcher(metrics);
      assertThat(ok.find()).as("fetchbus_results_total{outcome=ok} on the fetch node").isTrue();
      // What the first fetch node stored before it died, the second did not fetch again.
      assertThat(Double.parseDouble(ok.group(1))).as("results counted by the fetch node itself")
          .isPositive().isLessThanOrEqualTo(URLS - 60);
      JsonObject done = await(client.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(done.getInteger("completed")).isEqualTo(URLS);
      assertThat(done.getInteger("succeeded")).isEqualTo(URLS);
      nodeA.assertOneResultPerUrl(client, id, URLS);
      assertThat(fetcher.terminate()).as("the fetch node leaves the cluster and exits 0").isZero();
      assertThat(nodeA.terminate()).as("node A exits 0").isZero();
    } finally {
      if (fetcher != null) {
        fetcher.close();
      }
      nodeA.close();
      client.close();
      TestApp.delete(fetcherDir);
    }
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

  private static void awaitJob(WebClient client, String base, String id, Predicate<JsonObject> condition) {
    await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(90), 50, () -> client.getAbs(base + "/api/jobs/" + id)
        .send().map(r -> condition.test(r.bodyAsJsonObject()))), Duration.ofSeconds(95));
  }
}
