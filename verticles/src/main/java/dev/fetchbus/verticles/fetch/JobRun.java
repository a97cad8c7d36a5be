package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobSpec;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.UrlRef;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job: pages the URLs that have no result yet from the store, keeps up to {@code concurrency} fetches in
 * flight, batches results back, and marks the job done once every result is stored. Because it only ever asks for
 * URLs without a stored result, starting it again after a stop resumes the job.
 */
final class JobRun {
  private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);
  private static final int PAGE = 1_000;
  private static final long STORE_RETRY_MS = 1_000;

  private final String id;
  private final Vertx vertx;
  private final Bus bus;
  private final UrlFetcher fetcher;
  private final ResultBatcher batcher;
  private final Promise<Void> ended = Promise.promise();
  private final ArrayDeque<UrlRef> queue = new ArrayDeque<>();

  private int concurrency;
  private int inFlight;
  private int afterSeq = -1;
  private boolean loading;
  private boolean exhausted;
  private boolean finishing;
  private boolean stopping;

  JobRun(String id, Vertx vertx, Bus bus, UrlFetcher fetcher, ResultBatcher.BatchLimits limits) {
    this.id = id;
    this.vertx = vertx;
    this.bus = bus;
    this.fetcher = fetcher;
    this.batcher = new ResultBatcher(vertx, limits, this::store, this::pump);
  }

  /** Starts the run; the returned future completes when the job has ended or the run was stopped. */
  Future<Void> start() {
    bus.request(Addresses.STORE_JOBS_START, new JsonObject().put("id", id))
        .map(JobSpec::fromJson)
        .onSuccess(spec -> {
          concurrency = spec.concurrency();
          LOG.info("job {} running, concurrency {}", id, concurrency);
          pump();
        })
        .onFailure(ended::tryFail);
    return ended.future();
  }

  /** Stops starting fetches and stores what has finished; unfinished URLs are fetched when the job resumes. */
  Future<Void> stop() {
    stopping = true;
    return batcher.drain().onComplete(ar -> ended.tryComplete());
  }

  private void pump() {
    if (stopping || finishing) {
      return;
    }
    while (inFlight < concurrency && !queue.isEmpty() && !batcher.full()) {
      launch(queue.poll());
    }
    if (!exhausted && !loading && queue.size() < concurrency) {
      loadPage();
    }
    if (exhausted && queue.isEmpty() && inFlight == 0) {
      finish();
    }
  }

  private void launch(UrlRef url) {
    inFlight++;
    fetcher.fetch(url).onComplete(ar -> {
      inFlight--;
      if (stopping) {
        return;
      }
      batcher.add(ar.result());
      pump();
    });
  }

  private void loadPage() {
    loading = true;
    bus.request(Addresses.STORE_URLS_PENDING, new JsonObject().put("id", id).put("afterSeq", afterSeq).put("limit", PAGE))
        .onComplete(ar -> {
          loading = false;
          if (ar.failed()) {
            LOG.warn("job {}: reading pending URLs failed, retrying: {}", id, ar.cause().toString());
            vertx.setTimer(STORE_RETRY_MS, t -> pump());
            return;
          }
          JsonArray urls = ar.result().getJsonArray("urls");
          urls.forEach(u -> queue.add(UrlRef.fromJson((JsonObject) u)));
          if (!queue.isEmpty()) {
            afterSeq = queue.peekLast().seq();
          }
          exhausted = urls.size() < PAGE;
          pump();
        });
  }

  private void finish() {
    finishing = true;
    batcher.drain()
        .compose(v -> bus.request(Addresses.STORE_JOBS_FINISH,
            new JsonObject().put("id", id).put("status", JobStatus.DONE.wire())))
        .onSuccess(job -> LOG.info("job {} {}", id, job.getString("status")))
        .<Void>mapEmpty()
        .onComplete(ended);
  }

  private Future<?> store(List<FetchResult> results) {
    JsonArray batch = new JsonArray();
    results.forEach(r -> batch.add(r.toJson()));
    return bus.request(Addresses.STORE_RESULTS_APPEND, new JsonObject().put("id", id).put("results", batch));
  }
}
