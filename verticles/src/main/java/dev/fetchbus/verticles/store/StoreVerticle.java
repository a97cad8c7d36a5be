package dev.fetchbus.verticles.store;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobSpec;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.ResultBatch;
import dev.fetchbus.verticles.bus.Upload;
import dev.fetchbus.verticles.bus.UrlRef;
import dev.fetchbus.verticles.ops.Metrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Owns the PostgreSQL pool and answers the {@code fetchbus.store.*} addresses. */
public class StoreVerticle extends VerticleBase {
  private static final int MAX_PAGE = 5_000;
  private static final int MAX_SUMMARY_HOSTS = 100;
  private static final int PRUNE_BATCH = 1_000;
  private static final long FIRST_PING_RETRY_MS = 500;

  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);

  private Pool pool;
  private int poolSize;
  private JobStore store;
  private boolean pruning;
  private DatabasePing ping;

  @Override
  public Future<?> start() {
    JsonObject pg = config().getJsonObject("pg");
    poolSize = pg.getInteger("poolSize", 8);
    int connectTimeoutMs = pg.getInteger("connectTimeoutMs", 5_000);
    PgConnectOptions database = Database.connectOptions(pg);
    pool = PgBuilder.pool()
        .with(new PoolOptions()
            .setMaxSize(poolSize)
            .setMaxWaitQueueSize(pg.getInteger("maxWaitQueue", 1_000))
            .setConnectionTimeout(connectTimeoutMs)
            .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS))
        .connectingTo(database)
        .using(vertx)
        .build();
    ping = new DatabasePing(vertx, database, connectTimeoutMs);
    store = new JobStore(pool);
    MeasuredGauges outboxLag = Metrics.registry().map(MeasuredGauges::outboxLag).orElse(null);
    MeasuredGauges unfinishedJobs = Metrics.registry().map(MeasuredGauges::unfinishedJobs).orElse(null);
    UploadStore uploads = new UploadStore(pool);
    return Future.all(List.of(
            consume(Addresses.STORE_JOBS_CREATE,
                req -> store.create(JobSpec.fromJson(req), req.getString("idempotencyKey"))),
            consume(Addresses.STORE_JOBS_GET, req -> store.view(JobStore.jobId(req))),
            consume(Addresses.STORE_JOBS_UNFINISHED, req -> store.openJobs(leaseOwner(req))
                .map(ids -> new JsonObject().put("ids", new JsonArray(ids)))),
            consume(Addresses.STORE_JOBS_START, req -> store.start(JobStore.jobId(req))),
            consume(Addresses.STORE_JOBS_WORK, req -> store.work(JobStore.jobId(req), leaseOwner(req),
                req.getString("node", "unnamed"), req.getLong("leaseMs"), req.getInteger("inFlight", 0),
                req.getInteger("hostInFlight", 0), req.getJsonArray("chunks", new JsonArray()).stream()
                    .map(n -> (Integer) n).toArray(Integer[]::new))),
            consume(Addresses.STORE_JOBS_RELEASE, req -> store.release(leaseOwner(req),
                    req.getString("id") == null ? null : JobStore.jobId(req))
                .map(n -> new JsonObject().put("released", n))),
            consume(Addresses.STORE_CHUNKS_LEASE, req -> store.leaseChunk(JobStore.jobId(req), leaseOwner(req),
                req.getLong("leaseMs"))),
            consume(Addresses.STORE_CHUNKS_DONE, req -> store.chunkDone(JobStore.jobId(req), req.getInteger("chunk"))
                .map(v -> new JsonObject())),
            consume(Addresses.STORE_JOBS_ABANDON, req -> store.abandon(JobStore.jobId(req),
                finalStatus(req.getString("status")), Outcome.fromWire(req.getString("outcome"))).map(JobView::toJson)),
            consume(Addresses.STORE_JOBS_FINISH, req -> store.finish(JobStore.jobId(req),
                finalStatus(req.getString("status"))).map(JobView::toJson)),
            consume(Addresses.STORE_RESULTS_APPEND, req -> store.append(JobStore.jobId(req),
                    ResultBatch.fromJson(req).results())),
            consume(Addresses.STORE_RESULTS_PAGE, req -> store.results(JobStore.jobId(req),
                req.getInteger("afterSeq", -1), pageLimit(req), req.getString("outcome", "all")).map(rs -> list("results", rs.stream().map(FetchResult::toJson).toList()))),
            consume(Addresses.STORE_JOBS_SUMMARY, req -> store.summary(JobStore.jobId(req),
                Math.max(1, Math.min(req.getInteger("hosts", 10), MAX_SUMMARY_HOSTS)))),
            consume(Addresses.STORE_JOBS_LIST, req -> store.list(
                    req.getString("status") == null ? null : JobStatus.fromWire(req.getString("status")),
                    req.getString("after") == null ? null : JobStore.jobId(req.getString("after")),
                    pageLimit(req))
                .map(jobs -> list("jobs", jobs.stream().map(JobView::toJson).toList()))),
            consume(Addresses.STORE_JOBS_PURGE_BEGIN, req -> store.beginPurge(JobStore.jobId(req))
                .map(v -> new JsonObject().put("purging", true))),
            consume(Addresses.STORE_JOBS_PURGE, req -> store.purge(JobStore.jobId(req))
                .map(v -> new JsonObject().put("purged", true))),
            consume(Addresses.STORE_JOBS_PURGING, req -> store.purging(pageLimit(req))
                .map(ids -> new JsonObject().put("ids", new JsonArray(ids)))),
            consume(Addresses.STORE_JOBS_KNOWN, req -> store.known(uuids(req))),
            consume(Addresses.STORE_OUTBOX_CLAIM, req -> store.claim(req.getString("kind"), pageLimit(req),
                req.getLong("leaseMs")).map(tasks -> list("tasks", tasks))),
            consume(Addresses.STORE_OUTBOX_DONE, req -> store.taskDone(req.getLong("id"), req.getString("error"))
                .map(v -> new JsonObject())),
            consume(Addresses.STORE_OUTBOX_LATER, req -> store.taskLater(req.getLong("id"), req.getLong("delayMs"),
                req.getString("error")).map(v -> new JsonObject())),
            consume(Addresses.STORE_UPLOADS_CREATE, req -> uploads.create(Upload.fromJson(req)).map(Upload::toJson)),
            consume(Addresses.STORE_UPLOADS_GET, req -> uploads.get(uploadId(req)).map(Upload::toJson)),
            consume(Addresses.STORE_UPLOADS_DELETE, req -> uploads.delete(uploadId(req)).map(Upload::toJson)),
            consume(Addresses.STORE_UPLOADS_KNOWN, req -> uploads.known(uuids(req))
                .map(ids -> new JsonObject().put("existing", new JsonArray(ids)))),
            consume(Addresses.STORE_UPLOADS_IDS, req -> uploads.presentIds(
                    req.getString("after") == null ? null : UUID.fromString(req.getString("after")), pageLimit(req))
                .map(ids -> new JsonObject().put("ids", new JsonArray(ids)))),
            consume(Addresses.STORE_UPLOADS_MISSING, req -> uploads.markMissing(uuids(req))
                .map(n -> new JsonObject().put("marked", n))),
            consume(Addresses.STORE_PING, req -> ping.ping().map(v -> new JsonObject())),
            consume(Addresses.STORE_MONITOR, req -> Future.succeededFuture(monitor(outboxLag)))))
        // Fail the deployment now if the database cannot be reached, rather than at the first request.
        .compose(v -> firstPing(pg.getInteger("migrationConnectRetries", 5)))
        .onSuccess(v -> {
          JsonObject outbox = config().getJsonObject("outbox");
          vertx.setPeriodic(outbox.getLong("pruneIntervalMs"), id -> pruneOutbox(outbox.getLong("retentionMs")));
          if (outboxLag != null) {
            measure(outboxLag, unfinishedJobs);
            vertx.setPeriodic(config().getJsonObject("metrics").getLong("outboxLagMs"),
                id -> measure(outboxLag, unfinishedJobs));
          }
        });
  }

  /**
   * The first connection of a cold JVM beside a database that has just started can take longer than a pool wait
   * may ({@code pg.connectTimeoutMs}); the connection goes on being made, so asking again soon finds it.
   */
  private Future<Void> firstPing(int tries) {
    return store.ping().recover(err -> tries <= 1 ? Future.failedFuture(err)
        : Future.<Void>future(later -> vertx.setTimer(FIRST_PING_RETRY_MS, id -> later.complete()))
            .compose(v -> firstPing(tries - 1)));
  }

  @Override
  public Future<?> stop() {
    return Future.join(pool.close(), ping.close());
  }

  /**
   * Deletes the outbox tasks done longer than {@code retentionMs} ago, {@value #PRUNE_BATCH} rows a statement until a
   * statement finds fewer, so a backlog goes in one run while no statement holds many row locks for long.
   */
  private void pruneOutbox(long retentionMs) {
    if (pruning) {
      return;
    }
    pruning = true;
    pruneBatches(retentionMs, 0)
        .onSuccess(pruned -> {
          if (pruned > 0) {
            LOG.info("outbox: pruned {} task(s) done more than {} ms ago", pruned, retentionMs);
          }
        })
        .onFailure(err -> LOG.warn("pruning the outbox failed, trying again at the next interval: {}", err.toString()))
        .onComplete(ar -> pruning = false);
  }

  private Future<Integer> pruneBatches(long retentionMs, int sofar) {
    return store.pruneOutbox(retentionMs, PRUNE_BATCH).compose(n -> n < PRUNE_BATCH
        ? Future.succeededFuture(sofar + n) : pruneBatches(retentionMs, sofar + n));
  }

  private void measure(MeasuredGauges outboxLag, MeasuredGauges unfinishedJobs) {
    measure(store.outboxLag(), outboxLag, "the outbox lag");
    measure(store.unfinishedJobs(), unfinishedJobs, "the unfinished jobs");
  }

  private static void measure(Future<Map<String, Double>> query, MeasuredGauges gauges, String what) {
    query.onSuccess(gauges::measured).onFailure(err -> {
      gauges.unknown();
      LOG.debug("measuring {} failed: {}", what, err.toString());
    });
  }

  /** In use and waiting come from the pool's Vert.x metrics: the Pool API only tells its size. */
  private JsonObject monitor(MeasuredGauges outboxLag) {
    return new JsonObject()
        .put("size", pool.size())
        .put("maxSize", poolSize)
        .put("inUse", Metrics.poolGauge("vertx.pool.in.use", "sql").values().stream().reduce(Double::sum).orElse(null))
        .put("waiting", Metrics.poolGauge("vertx.pool.queue.pending", "sql").values().stream().reduce(Double::sum)
            .orElse(null))
        .put("outboxLagSeconds", outboxLag == null ? null : outboxLag.toJson());
  }

  /**
   * Every store address answers UNAVAILABLE, at once, while the database cannot be reached, and OVERLOADED when no
   * pooled connection came free within {@code pg.connectTimeoutMs}.
   */
  private Future<Void> consume(String address, Function<JsonObject, Future<JsonObject>> handler) {
    return Bus.consume(vertx, address,
        req -> handler.apply(req).recover(err -> Future.failedFuture(StoreFailures.forBus(err))));
  }

  private static JobStatus finalStatus(String wire) {
    JobStatus status = JobStatus.fromWire(wire);
    if (!status.finished()) {
      throw FailureCode.BAD_INPUT.exception("'" + wire + "' is not a final status");
    }
    return status;
  }

  private static String leaseOwner(JsonObject req) {
    String owner = req.getString("owner");
    if (owner == null || owner.isBlank()) {
      throw FailureCode.BAD_INPUT.exception("'owner' (the fetcher's lease id) is required");
    }
    return owner;
  }

  /** Senders check ids first, so one that is not a UUID is a malformed request (BAD_INPUT). */
  private static UUID uploadId(JsonObject req) {
    return UUID.fromString(req.getString("id"));
  }

  /** {"ids": [...]}: at most a page of UUIDs (anything else is a malformed request: BAD_INPUT). */
  private static UUID[] uuids(JsonObject req) {
    JsonArray ids = req.getJsonArray("ids");
    if (ids.size() > MAX_PAGE) {
      throw FailureCode.BAD_INPUT.exception("at most " + MAX_PAGE + " ids at a time");
    }
    return ids.stream().map(id -> UUID.fromString((String) id)).toArray(UUID[]::new);
  }

  private static int pageLimit(JsonObject req) {
    return Math.max(1, Math.min(MAX_PAGE, req.getInteger("limit", 1_000)));
  }

  private static JsonObject list(String key, List<JsonObject> items) {
    return new JsonObject().put(key, new JsonArray(items));
  }
}
