package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.store.Database;
import dev.fetchbus.verticles.store.JobStore;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Job leases on the real database: with several fetchers sweeping, each unfinished job goes to one of them, and to
 * another only once its holder released it or let the lease run out. The app runs without a fetcher, so only the
 * test's two made-up fetchers "a" and "b" claim.
 */
class JobLeaseTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();
  private static final long MINUTE = 60_000;

  private TestApp app;
  private Pool pool;
  private JobStore store;

  @BeforeEach
  void start() throws Exception {
    app = TestApp.start(running.dataDir, "migrations,store,http");
    pool = PgBuilder.pool().connectingTo(Database.connectOptions(app.app.config().getJsonObject("pg")))
        .using(running.vertx).build();
    store = new JobStore(pool);
  }

  @AfterEach
  void stop() throws Exception {
    await(pool.close());
    app.close();
  }

  @Test
  void anUnfinishedJobIsLeasedToOneFetcherUntilReleasedOrRunOut() {
    Api api = new Api(running.vertx, app);
    String id = api.submit(List.of(running.origin.url("/obj/1")), 1);
    api.close();
    UUID uuid = JobStore.jobId(id);

    assertThat(await(store.claimUnfinished("a", MINUTE))).containsExactly(id);
    assertThat(await(store.claimUnfinished("b", MINUTE))).as("held by a").isEmpty();
    assertThatThrownBy(() -> await(store.start(uuid, "b", MINUTE))).cause().isInstanceOfSatisfying(FailureCode.BusFailure.class,
        e -> assertThat(e.code).isEqualTo(FailureCode.CONFLICT)).hasMessageContaining("another fetcher");
    assertThat(await(store.start(uuid, "a", MINUTE)).getJsonObject("job").getString("status")).isEqualTo("running");
    assertThat(await(store.claimUnfinished("a", MINUTE))).as("a renews its own").containsExactly(id);

    assertThat(await(store.releaseLeases("a"))).isEqualTo(1);
    // A lease that ends before it starts: b holds the job, but as if b had died long ago.
    assertThat(await(store.claimUnfinished("b", -1))).containsExactly(id);
    assertThat(await(store.claimUnfinished("a", MINUTE))).as("b's lease ran out").containsExactly(id);
    assertThat(await(store.claimUnfinished("b", MINUTE))).isEmpty();
  }
}
