package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.FailureCode;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store verticle alone (with its migrations) on a real PostgreSQL, asked over the bus as its peers ask it: the
 * failure codes callers branch on come from what actually happened to the query. A pool whose one connection is held
 * answers OVERLOADED (not UNAVAILABLE: the database is up); a connection the server ends under a query answers
 * UNAVAILABLE; a malformed request BAD_INPUT and an unknown job NOT_FOUND. The store's connection is held by a
 * table lock the test takes over JDBC, so the timings come from the pool's own limits, not from sleeps.
 */
class StoreFailureMappingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static Path dataDir;
  private static TestApp app;

  @BeforeAll
  static void startStore() throws Exception {
    dataDir = TestApp.newDataDir();
    app = TestApp.start(dataDir, config -> {
      config.put("roles", new JsonArray(List.of("migrations", "store")));
      config.getJsonObject("pg").put("poolSize", 1).put("connectTimeoutMs", 500);
    });
  }

  @AfterAll
  static void stopStore() throws Exception {
    try {
      app.close();
    } finally {
      TestApp.delete(dataDir);
    }
  }

  @Test
  void aPoolWithItsOneConnectionHeldAnswersOverloadedAndThenServesAgain() throws Exception {
    try (Connection lock = app.jdbc()) {
      Future<JsonObject> held = listBehindLock(lock);
      assertThat(failureOf(request(Addresses.STORE_JOBS_GET, new JsonObject().put("id", UUID.randomUUID().toString()))))
          .isEqualTo(FailureCode.OVERLOADED);
      lock.commit();
      assertThat(await(held, WAIT).getJsonArray("jobs")).isNotNull();
    }
    assertThat(failureOf(request(Addresses.STORE_JOBS_GET, new JsonObject().put("id", UUID.randomUUID().toString()))))
        .as("served again: an unknown job").isEqualTo(FailureCode.NOT_FOUND);
  }

  @Test
  void aConnectionTheServerEndsUnderAQueryAnswersUnavailable() throws Exception {
    try (Connection lock = app.jdbc()) {
      Future<JsonObject> cut = listBehindLock(lock);
      try (Connection admin = app.jdbc(); Statement terminate = admin.createStatement()) {
        terminate.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            + " WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
      }
      assertThat(failureOf(cut)).isEqualTo(FailureCode.UNAVAILABLE);
      lock.rollback();
    }
  }

  @Test
  void aMalformedRequestIsBadInputAndAnUnknownJobNotFound() {
    assertThat(failureOf(request(Addresses.STORE_JOBS_LIST, new JsonObject().put("status", "nonsense"))))
        .isEqualTo(FailureCode.BAD_INPUT);
    assertThat(failureOf(request(Addresses.STORE_JOBS_LIST, new JsonObject().put("limit", "ten"))))
        .isEqualTo(FailureCode.BAD_INPUT);
    assertThat(failureOf(request(Addresses.STORE_JOBS_GET, new JsonObject().put("id", UUID.randomUUID().toString()))))
        .isEqualTo(FailureCode.NOT_FOUND);
  }

  private static Future<JsonObject> request(String address, JsonObject body) {
    return app.app.vertx().eventBus().<JsonObject>request(address, body).map(Message::body);
  }

  private static FailureCode failureOf(Future<JsonObject> reply) {
    return await(reply.<FailureCode>map(r -> {
      throw new AssertionError("expected a failure, got " + r);
    }).recover(err -> Future.succeededFuture(FailureCode.of((ReplyException) err))), WAIT);
  }

  /**
   * Locks the jobs table in a transaction on {@code lock}, then asks the store for a page of jobs: the request takes
   * the pool's one connection and waits on the lock. Returns once PostgreSQL shows it waiting.
   */
  private static Future<JsonObject> listBehindLock(Connection lock) throws Exception {
    lock.setAutoCommit(false);
    lock.createStatement().execute("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE");
    Future<JsonObject> list = request(Addresses.STORE_JOBS_LIST, new JsonObject().put("limit", 10));
    awaitWaitingOnLock();
    return list;
  }

  /** Until the store's query is seen waiting on the test's lock: a condition polled in PostgreSQL, bounded. */
  private static void awaitWaitingOnLock() throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    try (Connection watch = app.jdbc(); Statement query = watch.createStatement()) {
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
