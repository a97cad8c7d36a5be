package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.JobId;
import dev.fetchbus.verticles.store.Database;
import dev.fetchbus.verticles.store.JobStore;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chunk leases and worker shares on the real database: several fetch nodes work on one job, each chunk goes to
 * one of them at a time, and to another only once its holder released it or let the lease lapse; the nodes' shares
 * of the job's limits never add up to more than the limits. The app runs without a fetcher, so only the test's
 * made-up nodes "a", "b" and "c" take part.
 */
class JobChunksTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();
  private static final long MINUTE = 60_000;
  private static final int URLS = 1_200;

  private TestApp app;
  private Pool pool;
  private JobStore store;
  private Api api;

  @BeforeEach
  void start() throws Exception {
    app = TestApp.start(running.dataDir, "migrations,store,http");
    pool = PgBuilder.pool().connectingTo(Database.connectOptions(app.app.config().getJsonObject("pg")))
        .using(running.vertx).build();
    store = new JobStore(pool);
    api = new Api(running.vertx, app);
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
    await(pool.close());
    app.close();
  }

  @Test
  void eachChunkGoesToOneNodeUntilReleasedOrLapsed() {
    String id = submit(16, 4);
    UUID uuid = JobId.parse(id);
    // Jobs of the other tests stay unfinished in the same database: only this one is looked at.
    assertThat(await(store.openJobs("a"))).contains(id);

    StoreApi.WorkGrant a = work(uuid, "a", MINUTE, 0, 0);
    assertThat(a.concurrency()).isEqualTo(16);
    assertThat(await(store.openJobs("a"))).as("a works on it already").doesNotContain(id);
    assertThat(lease(uuid, "a")).containsExactly(0, 500);
    assertThat(lease(uuid, "b")).containsExactly(1, 500);
    assertThat(lease(uuid, "a")).containsExactly(2, 200);
    assertThat(await(store.leaseChunk(uuid, "b", MINUTE)).chunk()).as("all three held").isNull();
    assertThat(await(store.openJobs("b"))).as("no chunk free").doesNotContain(id);

    await(store.release("b", uuid));
    assertThat(lease(uuid, "c")).as("b gave chunk 1 back").containsExactly(1, 500);

    // a's chunks lapse with a's place: renewed into the past, as if a had died long ago.
    work(uuid, "a", -1, 0, 0);
    assertThat(await(store.openJobs("b"))).contains(id);
    assertThat(lease(uuid, "b")).containsExactly(0, 500);
    assertThat(lease(uuid, "b")).containsExactly(2, 200);
    assertThat(await(store.work(new StoreApi.WorkRequest(id, "a", "node-a", MINUTE, 0, 0, List.of(0, 2)))).lost())
        .as("a, back, learns that b took its chunks").containsExactly(0, 2);
    assertThat(await(store.work(new StoreApi.WorkRequest(id, "c", "node-c", MINUTE, 0, 0, List.of(1)))).lost())
        .isEmpty();
  }

  @Test
  void sharesOfTheLimitsNeverAddUpToMoreThanTheJobsLimits() {
    UUID uuid = JobId.parse(submit(10, 2));
    assertThat(work(uuid, "a", MINUTE, 0, 0).perHost()).isEqualTo(2);
    StoreApi.WorkGrant b = work(uuid, "b", MINUTE, 0, 0);
    assertThat(b.workers()).isEqualTo(2);
    assertThat(b.concurrency()).as("a holds the whole job").isZero();
    assertThat(b.settled()).isFalse();
    assertThat(work(uuid, "c", MINUTE, 0, 0).workers())
        .as("perHost 2 allows two nodes").isZero();

    StoreApi.WorkGrant a = work(uuid, "a", MINUTE, 10, 2);
    assertThat(a.concurrency()).as("a's fair share, to start nothing above").isEqualTo(5);
    assertThat(work(uuid, "b", MINUTE, 0, 0).concurrency())
        .as("a still has 10 in flight").isZero();
    work(uuid, "a", MINUTE, 5, 1);
    StoreApi.WorkGrant settled = work(uuid, "b", MINUTE, 0, 0);
    assertThat(settled.concurrency()).isEqualTo(5);
    assertThat(settled.perHost()).isEqualTo(1);
    assertThat(settled.settled()).isTrue();

    JsonObject view = api.job(uuid.toString());
    assertThat(view.getJsonArray("nodes").stream().map(n -> ((JsonObject) n).getString("node")))
        .containsExactly("node-a", "node-b");
    assertThat(view.getString("waiting")).isNull();
  }

  @Test
  void aSilentNodeHoldingChunksIsNamedUntilItsLeaseLapses() {
    String id = submit(4, 2);
    UUID uuid = JobId.parse(id);
    await(store.leaseChunk(uuid, "a", MINUTE));
    // Joining renews a's chunk lease to end with its place.
    work(uuid, "a", 1_500, 0, 0);
    api.awaitJob(id, Duration.ofSeconds(10), job -> String.valueOf(job.getString("waiting"))
        .matches("waiting for lease of node node-a \\([01] s\\)"));
    api.awaitJob(id, Duration.ofSeconds(10), job -> job.getJsonArray("nodes").isEmpty());
    assertThat(lease(uuid, "b")).as("lapsed with its node").containsExactly(0, 500);
  }

  @Test
  void resultsLostAfterEveryChunkWasDoneOpenTheirChunksAgain() {
    UUID uuid = JobId.parse(submit(4, 2));
    for (int chunk = 0; chunk < 3; chunk++) {
      await(store.chunkDone(uuid, chunk));
    }
    assertThat(await(store.leaseChunk(uuid, "a", MINUTE)).chunk()).isNull();
    assertThat(await(store.finish(uuid, dev.fetchbus.verticles.bus.JobStatus.DONE)).status().finished())
        .as("no result stored: not done").isFalse();
    assertThat(lease(uuid, "a")).containsExactly(0, 500);
  }

  /** Joins or renews {@code owner} (named node-{@code owner}), holding no chunk it would need to keep. */
  private StoreApi.WorkGrant work(UUID id, String owner, long leaseMs, int inFlight, int hostInFlight) {
    return await(store.work(new StoreApi.WorkRequest(id.toString(), owner, "node-" + owner, leaseMs, inFlight,
        hostInFlight, List.of())));
  }

  private String submit(int concurrency, int perHost) {
    List<String> urls = IntStream.range(0, URLS).mapToObj(n -> running.origin.url("/obj/" + n)).toList();
    return api.submit(new JsonObject().put("urls", urls).put("concurrency", concurrency).put("perHost", perHost));
  }

  /** Leases the next chunk for {@code owner}: its number and how many URLs it came with. */
  private List<Integer> lease(UUID id, String owner) {
    StoreApi.ChunkLease chunk = await(store.leaseChunk(id, owner, MINUTE));
    List<Integer> got = new ArrayList<>();
    got.add(chunk.chunk());
    got.add(chunk.urls().size());
    return got;
  }
}
