package dev.fetchbus.verticles.fetch;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.retry.Backoff;
import dev.fetchbus.verticles.store.api.StoreApi;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The callback outbox as the fetch verticle runs it ({@link OutboxPoller} with {@link CallbackSender}), alone: a fake
 * store on the bus hands out tasks with a lease and records what the poller says about each, and real loopback HTTP
 * servers receive the callbacks. Covered: a claimed task is POSTed (the job, as {@code job.ended}) and acknowledged
 * once; a failed delivery goes back with {@code later} and a delay within the configured backoff's ceiling for its
 * attempt (full jitter); a refusal that would recur, or a task past {@code giveUpMs}, is given up with its reason; a
 * receiver that never answers is cut at the callback timeout, and no new claim is made while a batch is in flight.
 * The store's side of the lease (a claimed task is not due again until its lease or delay ends) is the fake's.
 */
class OutboxPollerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long POLL_MS = 50;
  private static final int BATCH = 16;
  private static final long LEASE_MS = 5_000;
  private static final Backoff BACKOFF = new Backoff(100, 300);
  private static final long GIVE_UP_MS = 60_000;
  private static final long CALLBACK_TIMEOUT_MS = 500;

  private Vertx vertx;
  private FakeOutbox store;
  private Receiver receiver;
  private Path dataDir;
  private String fetcher;

  @BeforeEach
  void start() throws IOException {
    vertx = StrictVertx.create();
    dataDir = Files.createTempDirectory("fetchbus-outbox-");
    store = new FakeOutbox();
    await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        return store.start(vertx);
      }
    }));
    receiver = await(Receiver.start(vertx));
  }

  @AfterEach
  void stop() throws IOException {
    StrictVertx.close(vertx, fetcher, dataDir);
  }

  @Test
  void aClaimedTaskIsPostedToItsCallbackOnceAndAcknowledged() {
    String jobId = UUID.randomUUID().toString();
    long task = store.add(jobId, receiver.url("/hook?token=abc"), 0, System.currentTimeMillis());
    receiver.script("/hook", 204);
    deployFetcher();

    JsonObject done = await(store.done(task), WAIT);
    assertThat(done.getValue("error")).as("done without an error").isNull();
    assertThat(store.laters(task)).isEmpty();
    List<Received> posts = receiver.received("/hook");
    assertThat(posts).hasSize(1);
    Received post = posts.get(0);
    assertThat(post.method()).isEqualTo("POST");
    assertThat(post.uri()).isEqualTo("/hook?token=abc");
    assertThat(post.contentType()).isEqualTo("application/json");
    assertThat(post.body().getString("id")).isEqualTo(jobId);
    assertThat(post.body().getString("status")).isEqualTo("done");
    assertThat(post.body().getString("event")).isEqualTo("job.ended");
    assertThat(post.body().containsKey("callback")).as("the receiver is not told about its own delivery").isFalse();

    JsonObject claim = store.claims().get(0);
    assertThat(claim.getString("kind")).isEqualTo("callback");
    assertThat(claim.getInteger("limit")).isEqualTo(BATCH);
    assertThat(claim.getLong("leaseMs")).isEqualTo(LEASE_MS);
    // The poller goes on claiming; the task, done, is not handed out or posted again.
    int claimsAtDone = store.claims().size();
    await(store.claimCount(claimsAtDone + 3), WAIT);
    assertThat(receiver.received("/hook")).hasSize(1);
    assertThat(store.dones(task)).hasSize(1);
  }

  @Test
  void failedDeliveriesArePutBackWithinTheBackoffCeilingUntilTheyPass() {
    // Ten tasks on their first attempt, failing twice each; one that has failed often already (ceiling: maxMs).
    List<Long> tasks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      tasks.add(store.add(UUID.randomUUID().toString(), receiver.url("/flaky/" + i), 0, System.currentTimeMillis()));
      receiver.script("/flaky/" + i, 503, 503, 200);
    }
    long veteran = store.add(UUID.randomUUID().toString(), receiver.url("/veteran"), 7, System.currentTimeMillis());
    receiver.script("/veteran", 502, 200);
    deployFetcher();

    for (long task : tasks) {
      await(store.done(task), WAIT);
    }
    await(store.done(veteran), WAIT);

    List<Long> firstDelays = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      long task = tasks.get(i);
      List<JsonObject> laters = store.laters(task);
      assertThat(laters).as("task %d put back after each failure", task).hasSize(2);
      for (int attempt = 1; attempt <= 2; attempt++) {
        JsonObject later = laters.get(attempt - 1);
        assertThat(later.getString("error")).isEqualTo("callback answered 503");
        assertThat(later.getLong("delayMs")).as("task %d, attempt %d", task, attempt)
            .isBetween(0L, BACKOFF.ceilingMs(attempt));
      }
      firstDelays.add(laters.get(0).getLong("delayMs"));
      assertThat(store.dones(task)).hasSize(1);
      assertThat(store.dones(task).get(0).getValue("error")).isNull();
      assertThat(receiver.received("/flaky/" + i)).as("posted until it passed").hasSize(3);
    }
    assertThat(firstDelays.stream().distinct().count()).as("jittered, not one fixed delay: %s", firstDelays)
        .isGreaterThan(1);

    List<JsonObject> veteranLaters = store.laters(veteran);
    assertThat(veteranLaters).hasSize(1);
    assertThat(veteranLaters.get(0).getLong("delayMs")).as("attempt 8: the ceiling is maxMs")
        .isBetween(0L, BACKOFF.maxMs());
    assertThat(BACKOFF.ceilingMs(8)).isEqualTo(BACKOFF.maxMs());
  }

  @Test
  void aRefusalThatWouldRecurIsGivenUpAtOnce() {
    long missing = store.add(UUID.randomUUID().toString(), receiver.url("/gone"), 0, System.currentTimeMillis());
    receiver.script("/gone", 404);
    long moved = store.add(UUID.randomUUID().toString(), receiver.url("/moved"), 0, System.currentTimeMillis());
    receiver.script("/moved", 302);
    long invalid = store.add(UUID.randomUUID().toString(), "http://", 0, System.currentTimeMillis());
    deployFetcher();

    assertThat(await(store.done(missing), WAIT).getString("error")).isEqualTo("not retried: callback answered 404");
    assertThat(await(store.done(moved), WAIT).getString("error"))
        .isEqualTo("not retried: callback answered 302 (redirects are not followed)");
    assertThat(await(store.done(invalid), WAIT).getString("error")).startsWith("not retried: invalid callback URL");
    for (long task : List.of(missing, moved, invalid)) {
      assertThat(store.laters(task)).as("task %d not put back", task).isEmpty();
    }
    assertThat(receiver.received("/gone")).hasSize(1);
    assertThat(receiver.received("/moved")).hasSize(1);
  }

  @Test
  void aTaskPastGiveUpMsIsGivenUpInsteadOfPutBack() {
    long old = store.add(UUID.randomUUID().toString(), receiver.url("/down"), 3,
        System.currentTimeMillis() - GIVE_UP_MS - 1_000);
    receiver.script("/down", 503);
    deployFetcher();

    assertThat(await(store.done(old), WAIT).getString("error")).isEqualTo("gave up: callback answered 503");
    assertThat(store.laters(old)).isEmpty();
    assertThat(receiver.received("/down")).as("tried once more before giving up").hasSize(1);
  }

  @Test
  void aReceiverThatNeverAnswersIsCutAtTheTimeoutAndNothingIsClaimedMeanwhile() {
    long task = store.add(UUID.randomUUID().toString(), receiver.url("/silent"), 0, System.currentTimeMillis());
    receiver.script("/silent", Receiver.HOLD);
    deployFetcher();

    JsonObject later = await(store.later(task), WAIT);
    assertThat(later.getLong("delayMs")).isBetween(0L, BACKOFF.ceilingMs(1));
    assertThat(later.getLong("heldForMs")).as("put back once the callback timeout passed")
        .isGreaterThanOrEqualTo(CALLBACK_TIMEOUT_MS - 50);
    assertThat(later.getInteger("claimsSoFar"))
        .as("no claim while the batch was in flight, over %d poll periods", CALLBACK_TIMEOUT_MS / POLL_MS)
        .isEqualTo(1);
    assertThat(receiver.received("/silent")).hasSize(1);
    await(receiver.closed("/silent"), WAIT);
  }

  private void deployFetcher() {
    JsonObject fetch = appConfig().getJsonObject("fetch")
        .put("allow", new JsonArray().add("127.0.0.0/8"))
        .put("callbackTimeoutMs", CALLBACK_TIMEOUT_MS)
        .put("sweepIntervalMs", 60_000);
    JsonObject outbox = appConfig().getJsonObject("outbox")
        .put("pollMs", POLL_MS).put("batch", BATCH).put("leaseMs", LEASE_MS).put("giveUpMs", GIVE_UP_MS)
        .put("backoff", new JsonObject().put("baseMs", BACKOFF.baseMs()).put("maxMs", BACKOFF.maxMs()));
    fetcher = await(vertx.deployVerticle(new FetchVerticle(), new DeploymentOptions().setConfig(new JsonObject()
        .put("dataDir", dataDir.toString()).put("fetch", fetch).put("outbox", outbox))));
  }

  private static JsonObject appConfig() {
    try {
      return new JsonObject(Files.readString(Path.of("../conf/config.json")));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The store's outbox side in memory, as the real one behaves: a claim hands out due tasks of the kind (at most
   * {@code limit}), counts the attempt and leases them for {@code leaseMs}; {@code later} makes a task due after its
   * delay; {@code done} ends it. Every claim, later and done is recorded. Also answers what the fetch verticle asks at
   * start and stop (nothing to resume or purge) and the job reads the callback needs.
   */
  private static final class FakeOutbox {
    private final Map<Long, Task> tasks = new HashMap<>();
    private final List<JsonObject> claims = new CopyOnWriteArrayList<>();
    private final Map<Long, List<JsonObject>> laters = new ConcurrentHashMap<>();
    private final Map<Long, List<JsonObject>> dones = new ConcurrentHashMap<>();
    private final Map<Long, Promise<JsonObject>> firstDone = new ConcurrentHashMap<>();
    private final Map<Long, Promise<JsonObject>> firstLater = new ConcurrentHashMap<>();
    private final List<Map.Entry<Integer, Promise<Void>>> claimWaiters = new CopyOnWriteArrayList<>();
    private long nextId = 1;

    private static final class Task {
      final long id;
      final String jobId;
      final String callbackUrl;
      final long createdAt;
      int attempts;
      long dueAtMs;
      long claimedAtMs;
      boolean done;

      Task(long id, String jobId, String callbackUrl, int attempts, long createdAt) {
        this.id = id;
        this.jobId = jobId;
        this.callbackUrl = callbackUrl;
        this.attempts = attempts;
        this.createdAt = createdAt;
      }
    }

    /** Adds a due task before the fetcher starts; returns its id. */
    synchronized long add(String jobId, String callbackUrl, int attemptsBefore, long createdAtMs) {
      long id = nextId++;
      tasks.put(id, new Task(id, jobId, callbackUrl, attemptsBefore, createdAtMs));
      firstDone.put(id, Promise.promise());
      firstLater.put(id, Promise.promise());
      return id;
    }

    Future<Void> start(Vertx vertx) {
      JsonObject none = new JsonObject().put("ids", new JsonArray());
      return Future.all(List.of(
          Bus.consume(vertx, StoreApi.OUTBOX_CLAIM.address(), req -> Future.succeededFuture(claim(req))),
          Bus.consume(vertx, StoreApi.OUTBOX_LATER.address(), req -> Future.succeededFuture(later(req))),
          Bus.consume(vertx, StoreApi.OUTBOX_DONE.address(), req -> Future.succeededFuture(done(req))),
          Bus.consume(vertx, StoreApi.JOBS_GET.address(), req -> Future.succeededFuture(job(req.getString("id")))),
          Bus.consume(vertx, StoreApi.JOBS_UNFINISHED.address(), req -> Future.succeededFuture(none.copy())),
          Bus.consume(vertx, StoreApi.JOBS_PURGING.address(), req -> Future.succeededFuture(none.copy())),
          Bus.consume(vertx, StoreApi.JOBS_RELEASE.address(),
              req -> Future.succeededFuture(new JsonObject().put("released", 0))))).mapEmpty();
    }

    private synchronized JsonObject claim(JsonObject request) {
      claims.add(request.copy());
      long now = System.currentTimeMillis();
      JsonArray claimed = new JsonArray();
      for (Task task : tasks.values()) {
        if (claimed.size() < request.getInteger("limit") && !task.done && task.dueAtMs <= now
            && request.getString("kind").equals("callback")) {
          task.attempts++;
          task.dueAtMs = now + request.getLong("leaseMs");
          task.claimedAtMs = now;
          claimed.add(new JsonObject().put("id", task.id).put("jobId", task.jobId).put("attempts", task.attempts)
              .put("createdAt", task.createdAt).put("callbackUrl", task.callbackUrl));
        }
      }
      claimWaiters.removeIf(waiter -> {
        if (claims.size() >= waiter.getKey()) {
          waiter.getValue().tryComplete();
          return true;
        }
        return false;
      });
      return new JsonObject().put("tasks", claimed);
    }

    private synchronized JsonObject later(JsonObject request) {
      Task task = tasks.get(request.getLong("id"));
      long now = System.currentTimeMillis();
      JsonObject record = request.copy().put("claimsSoFar", claims.size()).put("heldForMs", now - task.claimedAtMs);
      laters.computeIfAbsent(task.id, k -> new CopyOnWriteArrayList<>()).add(record);
      task.dueAtMs = now + request.getLong("delayMs");
      firstLater.get(task.id).tryComplete(record);
      return new JsonObject();
    }

    private synchronized JsonObject done(JsonObject request) {
      Task task = tasks.get(request.getLong("id"));
      task.done = true;
      dones.computeIfAbsent(task.id, k -> new CopyOnWriteArrayList<>()).add(request.copy());
      firstDone.get(task.id).tryComplete(request.copy());
      return new JsonObject();
    }

    private static JsonObject job(String id) {
      OffsetDateTime now = OffsetDateTime.now();
      return new JobView(id, JobStatus.DONE, 3, 3, 2, 1, 0, 1234, now.minusSeconds(5), now.minusSeconds(4), now,
          JobView.Callback.NOT_TRIED).toJson();
    }

    Future<JsonObject> done(long task) {
      return firstDone.get(task).future();
    }

    Future<JsonObject> later(long task) {
      return firstLater.get(task).future();
    }

    List<JsonObject> laters(long task) {
      return List.copyOf(laters.getOrDefault(task, List.of()));
    }

    List<JsonObject> dones(long task) {
      return List.copyOf(dones.getOrDefault(task, List.of()));
    }

    List<JsonObject> claims() {
      return List.copyOf(claims);
    }

    /** Completes once {@code n} claims have been made in all. */
    synchronized Future<Void> claimCount(int n) {
      Promise<Void> reached = Promise.promise();
      if (claims.size() >= n) {
        reached.complete();
      } else {
        claimWaiters.add(Map.entry(n, reached));
      }
      return reached.future();
    }
  }

  /** A request a {@link Receiver} got. */
  record Received(String method, String uri, String contentType, JsonObject body) {
  }

  /**
   * A callback receiver on 127.0.0.1: each path answers from its script, one status per request (the last one
   * repeats); {@link #HOLD} never answers. It records what it received, and when a held request's connection closes.
   */
  private static final class Receiver {
    static final int HOLD = -1;

    private final HttpServer server;
    private final Map<String, List<Integer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, List<Received>> received = new ConcurrentHashMap<>();
    private final Map<String, Promise<Void>> closed = new ConcurrentHashMap<>();

    private Receiver(HttpServer server) {
      this.server = server;
    }

    static Future<Receiver> start(Vertx vertx) {
      Receiver[] self = new Receiver[1];
      HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(request -> self[0].handle(request));
      self[0] = new Receiver(server);
      return server.listen().map(s -> self[0]);
    }

    String url(String pathAndQuery) {
      return "http://127.0.0.1:" + server.actualPort() + pathAndQuery;
    }

    void script(String path, int... statuses) {
      List<Integer> list = new ArrayList<>();
      for (int status : statuses) {
        list.add(status);
      }
      scripts.put(path, list);
      closed.put(path, Promise.promise());
    }

    List<Received> received(String path) {
      return List.copyOf(received.getOrDefault(path, List.of()));
    }

    Future<Void> closed(String path) {
      return closed.get(path).future();
    }

    private void handle(HttpServerRequest request) {
      String path = request.path();
      request.body().onSuccess(body -> {
        List<Received> log = received.computeIfAbsent(path, k -> new CopyOnWriteArrayList<>());
        log.add(new Received(request.method().name(), request.uri(), request.getHeader("content-type"),
            body.length() == 0 ? null : body.toJsonObject()));
        List<Integer> script = scripts.getOrDefault(path, List.of(404));
        int status = script.get(Math.min(log.size(), script.size()) - 1);
        if (status == HOLD) {
          request.connection().closeHandler(v -> closed.get(path).tryComplete());
          return;
        }
        request.response().setStatusCode(status).end();
      });
    }
  }
}
