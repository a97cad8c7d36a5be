package dev.fetchbus.verticles.store;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobSpec;
import dev.fetchbus.verticles.store.api.StoreApi;
import dev.fetchbus.verticles.testing.PostgresHarness;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store verticle alone on a real PostgreSQL ({@link PostgresHarness}, migrated), asked over the bus as its peers
 * ask it: the failure codes callers branch on come from what actually happened to the query. A pool whose one
 * connection is held answers OVERLOADED (not UNAVAILABLE: the database is up) and serves again once it is free; a
 * connection the server ends under a query answers UNAVAILABLE; a malformed request BAD_INPUT and an unknown job
 * NOT_FOUND; an idempotency key used for a different job request CONFLICT, also when the requests race for the key.
 * The store's connection is held by a table lock the test takes over JDBC, so the timings come from the pool's own
 * limits, not from sleeps. Each test has its own Vert.x and store deployment; the server is the class's.
 */
class StoreVerticleTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static PostgresHarness pg;

  private Vertx vertx;

  @BeforeAll
  static void startDatabase() throws Exception {
    pg = PostgresHarness.start();
  }

  @AfterAll
  static void stopDatabase() {
    if (pg != null) {
      pg.close();
    }
  }

  @BeforeEach
  void startVertx() {
    vertx = StrictVertx.create();
  }

  @AfterEach
  void stopVertx() {
    await(vertx.close(), WAIT);
  }

  @Test
  void aPoolWithItsOneConnectionHeldAnswersOverloadedAndThenServesAgain() throws Exception {
    deployStore(1);
    try (Connection lock = pg.jdbc()) {
      Future<JsonObject> held = listBehindLock(lock);
      assertThat(failureOf(request(StoreApi.JOBS_GET.address(), unknownJob()))).isEqualTo(FailureCode.OVERLOADED);
      lock.commit();
      assertThat(await(held, WAIT).getJsonArray("jobs")).as("the held query completes once the lock goes").isNotNull();
    }
    assertThat(failureOf(request(StoreApi.JOBS_GET.address(), unknownJob())))
        .as("served again: an unknown job").isEqualTo(FailureCode.NOT_FOUND);
  }

  @Test
  void aConnectionTheServerEndsUnderAQueryAnswersUnavailable() throws Exception {
    deployStore(1);
    try (Connection lock = pg.jdbc()) {
      Future<JsonObject> cut = listBehindLock(lock);
      List<Boolean> terminated = new ArrayList<>();
      try (Connection admin = pg.jdbc(); Statement terminate = admin.createStatement();
           ResultSet ended = terminate.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
               + " WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()")) {
        while (ended.next()) {
          terminated.add(ended.getBoolean(1));
        }
      }
      assertThat(terminated).as("the store's backend, waiting on the lock, was terminated").containsExactly(true);
      assertThat(failureOf(cut)).isEqualTo(FailureCode.UNAVAILABLE);
      lock.rollback();
    }
    assertThat(failureOf(request(StoreApi.JOBS_GET.address(), unknownJob())))
        .as("the pool replaces the lost connection").isEqualTo(FailureCode.NOT_FOUND);
  }

  @Test
  void aMalformedRequestIsBadInputAndAnUnknownJobNotFound() {
    deployStore(1);
    assertThat(failureOf(request(StoreApi.JOBS_LIST.address(), new JsonObject().put("status", "nonsense"))))
        .isEqualTo(FailureCode.BAD_INPUT);
    assertThat(failureOf(request(StoreApi.JOBS_LIST.address(), new JsonObject().put("limit", "ten"))))
        .isEqualTo(FailureCode.BAD_INPUT);
    assertThat(failureOf(request(StoreApi.JOBS_FINISH.address(), unknownJob().put("status", "running"))))
        .as("not a final status").isEqualTo(FailureCode.BAD_INPUT);
    assertThat(failureOf(request(StoreApi.JOBS_CREATE.address(), create(spec("/a"), null).put("urls", "http://x/"))))
        .as("urls not a list").isEqualTo(FailureCode.BAD_INPUT);
    assertThat(failureOf(request(StoreApi.JOBS_CREATE.address(), create(spec("/a"), null)
        .put("options", JobOptions.defaults().toJson().put("body", "zip"))))).as("an unknown body mode")
        .isEqualTo(FailureCode.BAD_INPUT);
    assertThat(failureOf(request(StoreApi.JOBS_GET.address(), unknownJob()))).isEqualTo(FailureCode.NOT_FOUND);
    assertThat(failureOf(request(StoreApi.JOBS_GET.address(), new JsonObject().put("id", "not-a-uuid"))))
        .as("no job has an id that is not a UUID").isEqualTo(FailureCode.NOT_FOUND);
  }

  @Test
  void anIdempotencyKeyReplaysTheSameRequestAndRefusesAnotherWithConflict() throws Exception {
    deployStore(1);
    String key = "key-" + UUID.randomUUID();
    JsonObject first = await(request(StoreApi.JOBS_CREATE.address(), create(spec("/a", "/b"), key)), WAIT);
    assertThat(first.getBoolean("replayed")).isFalse();
    assertThat(first.getInteger("total")).isEqualTo(2);

    JsonObject again = await(request(StoreApi.JOBS_CREATE.address(), create(spec("/a", "/b"), key)), WAIT);
    assertThat(again.getBoolean("replayed")).as("the same request with the same key").isTrue();
    assertThat(again.getString("id")).isEqualTo(first.getString("id"));

    assertThat(failureOf(request(StoreApi.JOBS_CREATE.address(), create(spec("/a", "/c"), key))))
        .as("the same key, other URLs").isEqualTo(FailureCode.CONFLICT);
    JobSpec otherOptions = new JobSpec(spec("/a", "/b").urls(),
        JobOptions.fromJson(JobOptions.defaults().toJson().put("retries", 0)), null);
    assertThat(failureOf(request(StoreApi.JOBS_CREATE.address(), create(otherOptions, key))))
        .as("the same key, other options").isEqualTo(FailureCode.CONFLICT);

    assertThat(jobsWithKey(key)).containsExactly(first.getString("id"));
    assertThat(count("SELECT count(*) FROM job_urls WHERE job_id = '" + first.getString("id") + "'"))
        .as("the refused requests wrote no URLs").isEqualTo(2);
  }

  @Test
  void requestsRacingForOneKeyCreateOneJobAndTheOthersConflict() throws Exception {
    int racers = 8;
    deployStore(racers);
    String key = "race-" + UUID.randomUUID();
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (int i = 0; i < racers; i++) {
      replies.add(request(StoreApi.JOBS_CREATE.address(), create(spec("/racer/" + i), key)));
    }
    await(Future.join(replies).otherwiseEmpty(), WAIT);

    List<JsonObject> created = new ArrayList<>();
    List<FailureCode> refused = new ArrayList<>();
    for (Future<JsonObject> reply : replies) {
      if (reply.succeeded()) {
        created.add(reply.result());
      } else {
        refused.add(FailureCode.of((ReplyException) reply.cause()));
      }
    }
    assertThat(created).as("one request wins the key").hasSize(1);
    assertThat(created.get(0).getBoolean("replayed")).isFalse();
    assertThat(refused).as("every other one is told the key is taken").hasSize(racers - 1)
        .containsOnly(FailureCode.CONFLICT);
    String winner = created.get(0).getString("id");
    assertThat(jobsWithKey(key)).containsExactly(winner);
    int winnerIndex = replies.indexOf(replies.stream().filter(Future::succeeded).findFirst().orElseThrow());
    try (Connection c = pg.jdbc(); PreparedStatement q = c.prepareStatement(
        "SELECT url FROM job_urls WHERE job_id = ?::uuid ORDER BY seq")) {
      q.setString(1, winner);
      try (ResultSet rows = q.executeQuery()) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1)).as("the job holds the winner's URLs").endsWith("/racer/" + winnerIndex);
        assertThat(rows.next()).isFalse();
      }
    }
  }

  /** Deploys the store verticle with a pool of {@code poolSize} connections that waits at most 500 ms for one. */
  private void deployStore(int poolSize) {
    JsonObject config = pg.storeConfig();
    config.getJsonObject("pg").put("poolSize", poolSize).put("connectTimeoutMs", 500);
    await(vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config)), WAIT);
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body).map(Message::body);
  }

  private static JsonObject unknownJob() {
    return new JsonObject().put("id", UUID.randomUUID().toString());
  }

  private static JobSpec spec(String... paths) {
    return new JobSpec(IntStream.range(0, paths.length).mapToObj(i -> "http://127.0.0.1:9" + paths[i]).toList(),
        JobOptions.defaults(), null);
  }

  private static JsonObject create(JobSpec spec, String idempotencyKey) {
    return spec.toJson().put("idempotencyKey", idempotencyKey);
  }

  private static FailureCode failureOf(Future<JsonObject> reply) {
    return await(reply.<FailureCode>map(r -> {
      throw new AssertionError("expected a failure, got " + r);
    }).recover(err -> Future.succeededFuture(FailureCode.of((ReplyException) err))), WAIT);
  }

  private static List<String> jobsWithKey(String key) throws Exception {
    try (Connection c = pg.jdbc(); PreparedStatement q = c.prepareStatement(
        "SELECT id FROM jobs WHERE idempotency_key = ?")) {
      q.setString(1, key);
      List<String> ids = new ArrayList<>();
      try (ResultSet rows = q.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
      return ids;
    }
  }

  private static long count(String sql) throws Exception {
    try (Connection c = pg.jdbc(); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /**
   * Locks the jobs table in a transaction on {@code lock}, then asks the store for a page of jobs: the request takes
   * the pool's one connection and waits on the lock. Returns once PostgreSQL shows it waiting.
   */
  private Future<JsonObject> listBehindLock(Connection lock) throws Exception {
    lock.setAutoCommit(false);
    try (Statement s = lock.createStatement()) {
      s.execute("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE");
    }
    Future<JsonObject> list = request(StoreApi.JOBS_LIST.address(), new JsonObject().put("limit", 10));
    awaitWaitingOnLock();
    return list;
  }

  /** Until the store's query is seen waiting on the test's lock: a condition polled in PostgreSQL, bounded. */
  private static void awaitWaitingOnLock() throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    try (Connection watch = pg.jdbc(); Statement query = watch.createStatement()) {
      while (true) {
        try (ResultSet rows = query.executeQuery(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
          rows.next();
          if (rows.getLong(1) > 0) {
            return;
          }
        }
        assertThat(System.nanoTime()).as("the store's query waits on the lock in time").isLessThan(deadline);
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
    }
  }
}
