package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The embedded postmaster killed with SIGKILL under a running service (a real child JVM) while a job runs: the
 * supervisor notices at once, restarts the server on the same cluster and port, readiness is back within 10 s, a
 * second kill right after waits longer (back-off) and says so on /health/ready, and the job ends with exactly one
 * result per URL, every result stored before the kills unchanged. SIGTERM then stops the service and its server.
 */
class DatabaseSupervisionTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();
  private static final int URLS = 3_000;
  private static final Duration READY_AGAIN = Duration.ofSeconds(10);

  @Test
  void aKilledPostmasterIsRestartedWithBackoffAndTheJobLosesNothing() throws Exception {
    WebClient client = WebClient.create(running.vertx);
    List<String> urls = IntStream.range(0, URLS).mapToObj(n -> running.origin.url("/slow/" + n + "?ms=100")).toList();
    ChildService service = ChildService.launch(running.dataDir, "db-supervision", Map.of(), List.of());
    try {
      service.awaitReady(running.vertx, client);
      String base = service.base();
      // Encoded here, not on an event loop: a large first encode in a cold JVM beside a starting child is slow.
      Buffer job = new JsonObject().put("urls", urls).put("concurrency", 10).put("perHost", 10).toBuffer();
      String id = await(client.postAbs(base + "/api/jobs").putHeader("content-type", "application/json")
          .sendBuffer(job)).bodyAsJsonObject().getString("id");
      await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(30), 50, () -> client.getAbs(base + "/api/jobs/" + id)
          .send().map(r -> r.bodyAsJsonObject().getInteger("completed") >= 200)), Duration.ofSeconds(35));
      Map<Integer, String> storedBefore = new HashMap<>();
      await(client.getAbs(base + "/api/jobs/" + id + "/results").send()).bodyAsString().lines()
          .map(JsonObject::new).forEach(r -> storedBefore.put(r.getInteger("seq"), r.getString("sha256")));
      assertThat(storedBefore).hasSizeGreaterThanOrEqualTo(200);

      long firstPid = TestApp.postmasterPid(running.dataDir);
      JsonObject first = killAndAwaitRecovery(client, service, firstPid);
      assertThat(first.getInteger("attempt")).isEqualTo(1);
      assertThat(first.getLong("nextAttemptInMs")).isEqualTo(1_000);

      long secondPid = TestApp.postmasterPid(running.dataDir);
      assertThat(secondPid).as("a new postmaster").isNotEqualTo(firstPid);
      long killed = System.nanoTime();
      JsonObject second = killAndAwaitRecovery(client, service, secondPid);
      assertThat(second.getInteger("attempt")).as("the second crash in a row backs off").isEqualTo(2);
      assertThat(second.getLong("nextAttemptInMs")).isEqualTo(2_000);
      assertThat(Duration.ofNanos(System.nanoTime() - killed)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));

      JsonObject afterKills = await(client.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(afterKills.getInteger("completed")).as("still running after both kills").isLessThan(URLS);
      await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(90), 100, () -> client.getAbs(base + "/api/jobs/" + id)
          .send().map(r -> r.bodyAsJsonObject().getString("status").equals("done"))), Duration.ofSeconds(95));
      JsonObject done = await(client.getAbs(base + "/api/jobs/" + id).send()).bodyAsJsonObject();
      assertThat(done.getInteger("completed")).isEqualTo(URLS);
      assertThat(done.getInteger("succeeded")).as(done.encode()).isEqualTo(URLS);
      service.assertOneResultPerUrl(client, id, URLS);
      await(client.getAbs(base + "/api/jobs/" + id + "/results").send()).bodyAsString().lines()
          .map(JsonObject::new).filter(r -> storedBefore.containsKey(r.getInteger("seq")))
          .forEach(r -> assertThat(r.getString("sha256")).isEqualTo(storedBefore.get(r.getInteger("seq"))));

      String log = service.output();
      assertThat(log).contains("exited after").contains("killed by signal 9").contains("restarting it in 1000 ms (attempt 1)")
          .contains("restarting it in 2000 ms (attempt 2)").contains("last lines of ");

      long lastPid = TestApp.postmasterPid(running.dataDir);
      assertThat(service.terminate()).isZero();
      assertThat(ProcessHandle.of(lastPid).map(ProcessHandle::isAlive).orElse(false))
          .as("the server stops with the service").isFalse();
      String stopped = service.output();
      assertThat(stopped).contains("embedded PostgreSQL stopped");
      assertThat(stopped.substring(stopped.indexOf("stopping"))).doesNotContain("restarting it in");
      String serverLog = Files.readString(running.dataDir.resolve("postgres.log"));
      assertThat(serverLog.substring(serverLog.lastIndexOf("database system is ready")))
          .as("a clean stop, after the last start").contains("fast shutdown request", "database system is shut down");
    } finally {
      service.close();
      client.close();
    }
  }

  /**
   * SIGKILLs the postmaster; asserts that within 1 s /health/ready is 503 with the embedded database's check saying
   * it is restarting, and that it is 200 again within 10 s of the kill. Returns that check's data.
   */
  private static JsonObject killAndAwaitRecovery(WebClient client, ChildService service, long pid) {
    assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
    long killed = System.nanoTime();
    AtomicReference<JsonObject> restarting = new AtomicReference<>();
    await(StrictVertx.eventually(running.vertx, Duration.ofSeconds(1), 20, () -> client
        .getAbs(service.base() + "/health/ready").send().map(r -> {
          if (r.statusCode() != 503) {
            return false;
          }
          JsonObject check = embeddedDatabaseCheck(r.bodyAsJsonObject());
          if (check == null || !"restarting".equals(check.getJsonObject("data").getString("state"))) {
            return false;
          }
          restarting.set(check.getJsonObject("data"));
          return true;
        })), Duration.ofSeconds(5));
    JsonObject state = restarting.get();
    assertThat(state.getString("lastExit")).isEqualTo("killed by signal 9");
    assertThat(state.getString("message"))
        .isEqualTo("embedded database restarting, attempt " + state.getInteger("attempt") + ", last exit: killed by signal 9");
    await(StrictVertx.eventually(running.vertx, READY_AGAIN, 50, () -> client.getAbs(service.base() + "/health/ready")
        .send().map(r -> r.statusCode() == 200).otherwise(false)), READY_AGAIN.plusSeconds(5));
    Duration recovered = Duration.ofNanos(System.nanoTime() - killed);
    System.out.println("postmaster " + pid + " killed; ready again after " + recovered.toMillis() + " ms");
    assertThat(recovered).isLessThan(READY_AGAIN);
    return state;
  }

  private static JsonObject embeddedDatabaseCheck(JsonObject health) {
    return health.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> "embedded-database".equals(c.getString("id"))).findFirst().orElse(null);
  }

}
