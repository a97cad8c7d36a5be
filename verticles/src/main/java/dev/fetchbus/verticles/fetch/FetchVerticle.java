package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.Progress;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.files.DirectorySweep;
import dev.fetchbus.verticles.guard.AddressGuard;
import dev.fetchbus.verticles.guard.Cidr;
import dev.fetchbus.verticles.ops.Metrics;
import dev.fetchbus.verticles.ops.ThrottledLog;
import dev.fetchbus.verticles.reports.api.ReportsApi;
import dev.fetchbus.verticles.retry.Backoff;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the URLs of jobs: answers {@link FetchApi} (run, cancel, purge a job; what it does now), and sweeps the store for unfinished jobs at start and periodically, so jobs
 * left by a stop, a lost message or a dead fetcher are resumed. With several fetch nodes, every node joins a job
 * that has chunks left ({@link JobRun}): a node that starts one invites the others, and one that ends it early
 * tells them to stop. Purges jobs with their files ({@link JobFiles}), and at start finishes interrupted purges
 * and sweeps the mirror dir.
 */
public class FetchVerticle extends VerticleBase implements FetchApi {
  private static final Logger LOG = LoggerFactory.getLogger(FetchVerticle.class);
  /**
   * This process, as the monitor names a fetch node: pid@host. The host is the environment's HOSTNAME (set in
   * containers and by most shells): asking the resolver could block the event loop that deploys this verticle.
   */
  private static final String NODE = ProcessHandle.current().pid() + "@"
      + System.getenv().getOrDefault("HOSTNAME", "localhost");
  private static final long STORAGE_LOG_INTERVAL_MS = 10_000;

  private final Map<String, JobRun> runs = new HashMap<>();
  private HttpClientAgent client;
  private StoreApi store;
  private InFlightLimiter limiter;
  private ResultBatcher.BatchLimits limits;
  private AddressGuard guard;
  private RetryPolicy retryPolicy;
  private String userAgent;
  private MirrorRoot mirrorRoot;
  private JobFiles files;
  private WorkerLease lease;
  private FetchMetrics metrics;
  private boolean stopping;

  @Override
  public Future<?> start() {
    JsonObject fetch = config().getJsonObject("fetch");
    List<Cidr> allow = Cidr.parseAll(fetch.getJsonArray("allow"));
    LOG.info("fetch allow-list (private/loopback ranges the fetcher may reach): {}", allow.isEmpty() ? "none" : allow);
    client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setVerifyHost(true),
        new PoolOptions()
            .setHttp1MaxSize(fetch.getInteger("maxConnectionsPerHost"))
            .setMaxWaitQueueSize(fetch.getInteger("maxWaitQueue")));
    // In the background: the start goes on while it runs, and an https URL fetched before it ends is still correct.
    TlsWarmup.run(vertx).onFailure(err -> LOG.warn("TLS warm-up failed; the first https fetch will set TLS up", err));
    guard = new AddressGuard(allow);
    JsonObject retry = fetch.getJsonObject("retry");
    retryPolicy = new RetryPolicy(Backoff.of(retry.getJsonObject("backoff")), retry.getLong("maxRetryAfterMs"));
    userAgent = fetch.getString("userAgent");
    mirrorRoot = MirrorRoot.of(config());
    Bus bus = new Bus(vertx, fetch.getLong("busTimeoutMs"));
    store = StoreApi.client(bus);
    files = new JobFiles(vertx, store, ReportsApi.client(bus), mirrorRoot);
    // Taken before this fetcher writes anything: what it writes from now on is never the sweep's.
    Instant sweepCutoff = DirectorySweep.cutoffNow();
    limiter = new InFlightLimiter(fetch.getInteger("maxInFlight"));
    JsonObject batch = fetch.getJsonObject("batch");
    limits = new ResultBatcher.BatchLimits(batch.getInteger("maxRows"), batch.getLong("maxDelayMs"),
        batch.getInteger("maxPending"), batch.getLong("retryDelayMs"));
    metrics = new FetchMetrics(Metrics.registryOrNowhere());
    metrics.watch(limiter, runs);
    long sweepMs = fetch.getLong("sweepIntervalMs");
    // A run renews its leases every sweep interval; a node that misses three renewals in a row has lost them.
    lease = new WorkerLease(UUID.randomUUID().toString(), NODE, 3 * sweepMs, sweepMs);
    return Future.all(Bus.serve(vertx, FetchApi.bindings(this)), ENDED.subscribe(vertx, this::endedElsewhere),
            WORKERS.subscribe(vertx, this::workersChanged))
        .onSuccess(v -> {
          files.sweep(sweepCutoff);
          sweep();
          vertx.setPeriodic(sweepMs, id -> sweep());
          vertx.setPeriodic(fetch.getLong("monitorPublishMs"),
              id -> NODES.publish(vertx, snapshot()));
          CallbackSender callbacks = new CallbackSender(vertx, client, guard, userAgent,
              fetch.getLong("callbackTimeoutMs"));
          new OutboxPoller(vertx, store, "callback", config().getJsonObject("outbox"), task ->
              store.view(task.jobId()).compose(job -> {
                job.remove("callback"); // the receiver gets the job, not the state of its own delivery
                return callbacks.send(task.callbackUrl(), job.put("event", "job.ended"));
              }))
              .start();
        });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    // A copy: a run that stops at once removes itself from the map while this walks it.
    List<String> working = List.copyOf(runs.keySet());
    return Future.join(List.copyOf(runs.values()).stream().map(JobRun::stop).toList())
        .eventually(() -> release(null).onSuccess(v -> working.forEach(id -> WORKERS.publish(vertx,
            new WorkersChanged(id, true)))))
        .eventually(client::close);
  }

  @Override
  public Future<Boolean> run(String id) {
    return Future.succeededFuture(join(id));
  }

  /** Starts running the job here unless it already runs here or this node is stopping; says whether it started. */
  private boolean join(String id) {
    if (stopping || id == null || runs.containsKey(id)) {
      return false;
    }
    JobRun run = new JobRun(id, lease, vertx, store, options -> context(options, id), limiter, limits, metrics);
    runs.put(id, run);
    run.start().onComplete(ar -> {
      runs.remove(id);
      if (ar.failed() && !alreadyFinished(ar.cause())) {
        LOG.warn("job {} did not complete this time; it stays unfinished and is resumed later: {}", id,
            ar.cause().toString());
      }
      // A run that ended gives its place and chunks back, and the others renew to take up its share at once (a
      // stopping node gives back all of them together).
      if (!stopping) {
        release(id).onSuccess(v -> WORKERS.publish(vertx, new WorkersChanged(id, false)));
      }
    });
    return true;
  }

  /** Mirror jobs write their bodies under the {@link MirrorRoot}. */
  private FetchContext context(JobOptions options, String id) {
    boolean mirror = options.body() == JobOptions.BodyMode.MIRROR;
    ThrottledLog storageLog = new ThrottledLog(LOG, STORAGE_LOG_INTERVAL_MS);
    return new FetchContext(vertx, client, guard, new HostResolver(vertx), retryPolicy, userAgent,
        mirror ? mirrorRoot.jobDir(id) : null, mirror ? MirrorRoot.reportedDir(id) : null,
        err -> storageLog.warn("job " + id + ": a body could not be stored, its URL ends as storage_error: "
            + err.getMessage()));
  }

  /** A running job is cancelled by its run; one that is not running (queued, or its fetcher gone) by the store. */
  @Override
  public Future<JobView> cancel(String id) {
    JobRun run = runs.get(id);
    if (run != null) {
      return run.cancel();
    }
    return store.abandon(new StoreApi.JobEnd(id, JobStatus.CANCELLED, Outcome.CANCELLED))
        .onSuccess(ended -> {
          ENDED.publish(vertx, id);
          metrics.jobEnded(ended);
          FetchApi.progress(id).publish(vertx, Progress.of(ended));
        });
  }

  /**
   * Gives this node's place and chunk leases back, on job {@code id} or (null) on every job, so other nodes take
   * them now instead of when they lapse.
   */
  private Future<Integer> release(String id) {
    return store.release(new StoreApi.Release(lease.owner(), id))
        .onFailure(err -> LOG.warn("giving back job places and chunk leases failed; other fetch nodes take them when"
            + " they lapse: {}", err.toString()));
  }

  /**
   * Another node ended the job early: the run here stops at once. What it finished and had not stored is dropped: the
   * job's end gave every URL without a result its final outcome.
   */
  private void endedElsewhere(String id) {
    JobRun run = runs.get(id);
    if (run != null) {
      run.stop();
    }
  }

  /** A node joined or left a job: the run here asks for its share again; an idle node joins when invited. */
  private void workersChanged(WorkersChanged change) {
    JobRun run = runs.get(change.id());
    if (run != null) {
      run.renew();
    } else if (change.invite()) {
      join(change.id());
    }
  }

  /** See {@link JobFiles#purge}; a running job must be cancelled first. */
  @Override
  public Future<Void> purge(String id) {
    if (runs.containsKey(id)) {
      return Future.failedFuture(FailureCode.CONFLICT.exception("job " + id + " is running: cancel it first"));
    }
    return files.purge(id);
  }

  @Override
  public Future<JsonObject> monitor() {
    return Future.succeededFuture(snapshot());
  }

  private JsonObject snapshot() {
    return new JsonObject().put("node", NODE).put("inFlight", limiter.used()).put("maxInFlight", limiter.max())
        .put("waiting", limiter.waiting())
        .put("jobs", new JsonArray(runs.values().stream().map(JobRun::monitor).toList()));
  }

  private static boolean alreadyFinished(Throwable failure) {
    return failure instanceof ReplyException reply && FailureCode.of(reply) == FailureCode.CONFLICT;
  }

  private void sweep() {
    if (stopping) {
      return;
    }
    store.unfinished(lease.owner())
        .onSuccess(ids -> ids.forEach(this::join))
        .onFailure(err -> LOG.warn("looking for unfinished jobs failed: {}", err.toString()));
  }
}
