package dev.fetchbus.verticles.store;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.ops.Metrics;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Owns the PostgreSQL pool and answers the store's contract, {@link StoreApi}. */
public class StoreVerticle extends VerticleBase {
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
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .connectingTo(database)
        .using(vertx)
        .build();
    ping = new DatabasePing(vertx, database, connectTimeoutMs);
    store = new JobStore(pool);
    MeasuredGauges outboxLag = Metrics.registry().map(MeasuredGauges::outboxLag).orElse(null);
    MeasuredGauges unfinishedJobs = Metrics.registry().map(MeasuredGauges::unfinishedJobs).orElse(null);
    StoreService service = new StoreService(store, new UploadStore(pool), ping, () -> monitor(outboxLag));
    return Bus.serve(vertx, StoreApi.bindings(service), StoreFailures::forBus)
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
}
