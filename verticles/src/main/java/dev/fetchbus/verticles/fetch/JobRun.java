package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.Progress;
import dev.fetchbus.verticles.bus.ResultBatch;
import dev.fetchbus.verticles.bus.ResultSummary;
import dev.fetchbus.verticles.bus.UrlRef;
import dev.fetchbus.verticles.files.DirectorySweep;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job: pages the URLs that have no result yet from the store, keeps up to {@code concurrency} fetches in
 * flight (at most {@code perHost} per host, within the fetcher-wide cap), batches results back, publishes progress,
 * and marks the job done once every result is stored. It only ever asks for URLs without a stored result, so
 * starting it again after a stop resumes the job. A cancel or the job's deadline aborts what is in flight.
 */
final class JobRun {
  private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);
  private static final int PAGE = 1_000;
  private static final long STORE_RETRY_MS = 1_000;
  private static final long PROGRESS_EVERY_MS = 250;
  private static final long STOP_DRAIN_MS = 5_000;

  private final String id;
  private final JsonObject lease;
  private final Vertx vertx;
  private final Bus bus;
  private final Function<JobOptions, FetchContext> contexts;
  private final InFlightLimiter limiter;
  private final ResultBatcher batcher;
  private final FetchMetrics metrics;
  private final Promise<Void> ended = Promise.promise();
  private final ArrayDeque<UrlRef> queue = new ArrayDeque<>();
  private final Map<Integer, UrlFetch> inFlight = new HashMap<>();
  private final Map<String, Integer> perHost = new HashMap<>();
  private final ResultSummary.Tally tally = new ResultSummary.Tally();
  private final Runnable pump = this::pump;

  private JobOptions options;
  private FetchContext context;
  private JobView view;
  private int completed;
  private int succeeded;
  private int failed;
  private long bytes;
  private long startedNanos;
  private long lastProgress;
  private long progressTimer = -1;
  private long deadlineTimer = -1;
  private int afterSeq = -1;
  private boolean loading;
  private boolean exhausted;
  private boolean ending;
  private boolean pumping;
  private boolean pumpAgain;

  /** {@code lease}: {"owner", "leaseMs"}, the fetcher's claim on the jobs it runs. */
  JobRun(String id, JsonObject lease, Vertx vertx, Bus bus, Function<JobOptions, FetchContext> contexts,
         InFlightLimiter limiter, ResultBatcher.BatchLimits limits, FetchMetrics metrics) {
    this.id = id;
    this.lease = lease;
    this.vertx = vertx;
    this.bus = bus;
    this.contexts = contexts;
    this.limiter = limiter;
    this.metrics = metrics;
    this.batcher = new ResultBatcher(vertx, limits, this::store, pump, metrics);
  }

  /** Starts the run; the returned future completes when the job has ended or the run was stopped. */
  Future<Void> start() {
    bus.request(Addresses.STORE_JOBS_START, lease.copy().put("id", id))
        .compose(reply -> {
          options = JobOptions.fromJson(reply.getJsonObject("options"));
          view = JobView.fromJson(reply.getJsonObject("job"));
          completed = view.completed();
          succeeded = view.succeeded();
          failed = view.failed();
          context = contexts.apply(options);
          return context.mirrorDir() == null ? Future.succeededFuture() : prepareMirror(context.mirrorDir());
        })
        .onSuccess(v -> {
          if (ending) {
            return;
          }
          startedNanos = System.nanoTime();
          LOG.info("job {} running: concurrency {}, perHost {}, {} of {} done before", id, options.concurrency(),
              options.perHost(), completed, view.total());
          armDeadline();
          pump();
        })
        .onFailure(ended::tryFail);
    return ended.future();
  }

  /**
   * Creates the job's mirror directory, or clears the temporary files an earlier run left in it (one that crashed
   * mid-fetch): the run holds the job's lease, so nothing else writes there.
   */
  private Future<Void> prepareMirror(Path dir) {
    return vertx.fileSystem().mkdirs(dir.toString())
        .compose(v -> DirectorySweep.removeTemporaryIn(vertx, dir))
        .map(removed -> {
          if (removed > 0) {
            LOG.info("job {}: removed {} unfinished mirror file(s) left by an earlier run", id, removed);
          }
          return null;
        });
  }

  /** Aborts what is in flight, stores what finished, marks the rest cancelled; completes with the job. */
  Future<JsonObject> cancel() {
    return end(JobStatus.CANCELLED, Outcome.CANCELLED);
  }

  /** For shutdown: stops starting fetches, aborts those in flight and stores what finished; the job stays resumable. */
  Future<Void> stop() {
    ending = true;
    // Bounded: with the database away, what is not stored in time is fetched again on resume.
    Promise<Void> stopped = Promise.promise();
    long timer = vertx.setTimer(STOP_DRAIN_MS, t -> stopped.tryComplete());
    abortInFlight().compose(v -> batcher.drain()).onComplete(ar -> {
      vertx.cancelTimer(timer);
      stopped.tryComplete();
    });
    return stopped.future().onComplete(ar -> ended.tryComplete());
  }

  /** What the run is doing now, for the monitor: {"id", "inFlight", "queued", "unstored", "done", "total"}. */
  JsonObject monitor() {
    return new JsonObject().put("id", id).put("inFlight", inFlight.size()).put("queued", queue.size())
        .put("unstored", batcher.pending()).put("done", completed).put("total", view == null ? null : view.total());
  }

  private void armDeadline() {
    if (options.deadlineMs() <= 0) {
      return;
    }
    long startedAt = view.startedAt() == null ? System.currentTimeMillis() : view.startedAt().toInstant().toEpochMilli();
    long left = options.deadlineMs() - (System.currentTimeMillis() - startedAt);
    deadlineTimer = vertx.setTimer(Math.max(1, left), t -> {
      LOG.info("job {} passed its deadline of {} ms", id, options.deadlineMs());
      end(JobStatus.FAILED, Outcome.TIMEOUT_TOTAL);
    });
  }

  /**
   * Starts what limits allow. A fetch can finish synchronously (a refused address, say) and call back into pump()
   * from launch(): such calls only ask for one more round, so the queue is never modified under its iterator.
   */
  private void pump() {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        pumpOnce();
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
  }

  private void pumpOnce() {
    if (ending) {
      return;
    }
    for (Iterator<UrlRef> it = queue.iterator(); it.hasNext() && inFlight.size() < options.concurrency()
        && !batcher.full(); ) {
      UrlRef url = it.next();
      String host = hostOf(url.url());
      if (perHost.getOrDefault(host, 0) >= options.perHost()) {
        continue;
      }
      if (!limiter.tryAcquire(pump)) {
        break;
      }
      it.remove();
      launch(url, host);
    }
    if (!exhausted && !loading && queue.size() < 2 * options.concurrency()) {
      loadPage();
    }
    if (exhausted && queue.isEmpty() && inFlight.isEmpty()) {
      end(JobStatus.DONE, null);
    }
  }

  private void launch(UrlRef url, String host) {
    perHost.merge(host, 1, Integer::sum);
    UrlFetch fetch = new UrlFetch(context, options, url);
    inFlight.put(url.seq(), fetch);
    fetch.start().onSuccess(result -> {
      inFlight.remove(url.seq());
      perHost.merge(host, -1, Integer::sum);
      limiter.release();
      if (ending) {
        return;
      }
      count(result);
      tally.add(host, result.outcome());
      batcher.add(result);
      pump();
    });
  }

  private void count(FetchResult result) {
    metrics.result(result);
    completed++;
    bytes += result.bytes();
    if (result.outcome() == Outcome.OK) {
      succeeded++;
    } else {
      failed++;
    }
    long now = System.nanoTime();
    if (now - lastProgress >= PROGRESS_EVERY_MS * 1_000_000) {
      publish(JobStatus.RUNNING, false);
    } else if (progressTimer < 0) {
      progressTimer = vertx.setTimer(PROGRESS_EVERY_MS - (now - lastProgress) / 1_000_000, t -> {
        progressTimer = -1;
        if (!ending) {
          publish(JobStatus.RUNNING, false);
        }
      });
    }
  }

  private void publish(JobStatus status, boolean last) {
    lastProgress = System.nanoTime();
    double seconds = Math.max(1e-3, (lastProgress - startedNanos) / 1e9);
    vertx.eventBus().publish(Addresses.jobEvents(id), new Progress(id, status, view.total(), completed, succeeded,
        failed, bytes, (completed - view.completed()) / seconds, last).toJson());
  }

  private void loadPage() {
    loading = true;
    bus.request(Addresses.STORE_URLS_PENDING, new JsonObject().put("id", id).put("afterSeq", afterSeq)
            .put("limit", PAGE).put("fresh", view.completed() == 0))
        .onComplete(ar -> {
          loading = false;
          if (ar.failed()) {
            LOG.warn("job {}: reading pending URLs failed, retrying: {}", id, ar.cause().toString());
            vertx.setTimer(STORE_RETRY_MS, t -> pump());
            return;
          }
          JsonArray urls = ar.result().getJsonArray("urls");
          urls.forEach(u -> queue.add(UrlRef.fromJson((JsonObject) u)));
          if (!urls.isEmpty()) {
            afterSeq = urls.getJsonObject(urls.size() - 1).getInteger("seq");
          }
          exhausted = urls.size() < PAGE;
          pump();
        });
  }

  /**
   * Ends the job: {@code DONE} once everything is stored; otherwise in-flight fetches are aborted, finished results
   * stored, and every URL still without a result gets {@code rest}.
   */
  private Future<JsonObject> end(JobStatus status, Outcome rest) {
    if (ending) {
      return Future.failedFuture(FailureCode.CONFLICT.exception("job " + id + " is already ending"));
    }
    ending = true;
    vertx.cancelTimer(deadlineTimer);
    vertx.cancelTimer(progressTimer);
    JsonObject request = new JsonObject().put("id", id).put("status", status.wire());
    Future<JsonObject> stored = abortInFlight().compose(v -> batcher.drain()).compose(v -> rest == null
        ? bus.request(Addresses.STORE_JOBS_FINISH, request)
        : bus.request(Addresses.STORE_JOBS_ABANDON, request.put("outcome", rest.wire())));
    stored.onComplete(ar -> {
      if (ar.failed()) {
        ended.tryFail(ar.cause());
        return;
      }
      JobView finished = JobView.fromJson(ar.result());
      completed = finished.completed();
      succeeded = finished.succeeded();
      failed = finished.failed();
      if (!finished.status().finished()) {
        fetchMissing(finished);
        return;
      }
      publish(finished.status(), true);
      metrics.jobEnded(finished);
      LOG.info("job {} {}", id, finished.status().wire());
      ended.tryComplete();
    });
    return stored;
  }

  /**
   * The store refused DONE: results it had acknowledged are gone (the database crashed before their asynchronous
   * commit reached its disk, and came back while this run went on). The run pages the URLs still without a result
   * from the start, a second later, and fetches them.
   */
  private void fetchMissing(JobView stored) {
    LOG.warn("job {}: {} of {} results stored, some lost in a database crash; fetching those URLs again", id,
        stored.completed(), stored.total());
    view = stored;
    afterSeq = -1;
    exhausted = false;
    ending = false;
    armDeadline();
    vertx.setTimer(STORE_RETRY_MS, t -> pump());
  }

  /** Aborts every fetch in flight; completes once each has ended (requests reset, partial files removed). */
  private Future<Void> abortInFlight() {
    limiter.forget(pump);
    List<UrlFetch> fetches = List.copyOf(inFlight.values());
    fetches.forEach(UrlFetch::abort);
    return Future.join(fetches.stream().map(UrlFetch::ended).toList()).mapEmpty();
  }

  /** Stores a batch; the per-host summary of what finished since the last one goes out with it (a retry adds none). */
  private Future<?> store(List<FetchResult> results) {
    if (!tally.isEmpty()) {
      vertx.eventBus().publish(Addresses.EVENTS_RESULTS, tally.take(id).toJson());
    }
    return bus.request(Addresses.STORE_RESULTS_APPEND, new ResultBatch(id, results).toJson());
  }

  /** The scheme and authority a URL connects to: what per-host limits count (the URL was validated on submit). */
  static String hostOf(String url) {
    int start = url.indexOf("://") + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    int at = url.lastIndexOf('@', end - 1);
    String scheme = url.substring(0, start).toLowerCase(java.util.Locale.ROOT);
    String authority = url.substring(Math.max(start, at + 1), end).toLowerCase(java.util.Locale.ROOT);
    String defaultPort = scheme.equals("https://") ? ":443" : ":80";
    return scheme + (authority.endsWith(defaultPort) ? authority.substring(0, authority.length() - defaultPort.length())
        : authority);
  }
}
