package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.Progress;
import dev.fetchbus.verticles.bus.ResultBatch;
import dev.fetchbus.verticles.bus.ResultSummary;
import dev.fetchbus.verticles.bus.Topic;
import dev.fetchbus.verticles.bus.UrlRef;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.files.DirectorySweep;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's part of one job: joins the job's workers and gets a share of its {@code concurrency} and
 * {@code perHost} limits ({@link StoreApi#JOBS_WORK}, renewed while it runs), leases chunks of URLs that have
 * no result yet one at a time, keeps up to its share of fetches in flight (within the fetcher-wide cap), batches
 * results back, marks each chunk done once its results are stored, and publishes progress. The node that finds no
 * chunk left marks the job done once every result is stored; one whose finish is refused because other nodes still
 * work leaves the job to them. It only ever leases URLs without a stored result, so starting it again after a stop
 * resumes the job. A cancel or the job's deadline aborts what is in flight, on every node.
 */
final class JobRun {
  private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);
  // While its grant differs from its fair share, a node asks again this often: shares settle within a fetch or two.
  private static final long UNSETTLED_RENEW_MS = 200;
  private static final long STORE_RETRY_MS = 1_000;
  private static final long PROGRESS_EVERY_MS = 250;
  private static final long STOP_DRAIN_MS = 5_000;

  private final String id;
  private final WorkerLease lease;
  private final Vertx vertx;
  private final StoreApi store;
  private final Function<JobOptions, FetchContext> contexts;
  private final InFlightLimiter limiter;
  private final ResultBatcher batcher;
  private final FetchMetrics metrics;
  private final Promise<Void> ended = Promise.promise();
  private final HostQueues queue = new HostQueues();
  private final Map<Integer, UrlFetch> inFlight = new HashMap<>();
  private final Map<String, Integer> perHost = new HashMap<>();
  /** With {@code perHostDelayMs}: when the next fetch to each host may start (System.nanoTime). */
  private final Map<String, Long> hostFreeAt = new HashMap<>();
  /** The leased chunks whose results are not all stored, by the lowest seq they had left when leased. */
  private final TreeMap<Integer, Chunk> chunks = new TreeMap<>();
  private final List<Future<?>> chunksMarked = new ArrayList<>();
  private final ResultSummary.Tally tally = new ResultSummary.Tally();
  private final Runnable pump = this::pump;
  private final Topic<Progress> progress;

  private JobOptions options;
  private FetchContext context;
  private JobView view;
  /** The job's counters as the store last reported them, from any node's results. */
  private int completed;
  private int succeeded;
  private int failed;
  /** This node's results not yet acknowledged by the store. */
  private int unstoredOk;
  private int unstoredFailed;
  private long bytes;
  private int concurrency;
  private int hostConcurrency;
  private long renewTimer = -1;
  private boolean renewing;
  private boolean invited;
  private boolean finishRefused;
  private long startedNanos;
  private long lastProgress;
  private long progressTimer = -1;
  private long delayTimer = -1;
  private long deadlineTimer = -1;
  private boolean loading;
  private boolean exhausted;
  private boolean ending;
  private boolean pumping;
  private boolean pumpAgain;

  JobRun(String id, WorkerLease lease, Vertx vertx, StoreApi store, Function<JobOptions, FetchContext> contexts,
         InFlightLimiter limiter, ResultBatcher.BatchLimits limits, FetchMetrics metrics) {
    this.id = id;
    this.lease = lease;
    this.vertx = vertx;
    this.store = store;
    this.contexts = contexts;
    this.limiter = limiter;
    this.metrics = metrics;
    this.batcher = new ResultBatcher(vertx, limits, this::storeBatch, pump, metrics);
    this.progress = FetchApi.progress(id);
  }

  /** Starts the run; the returned future completes when the job has ended or this node's part of it. */
  Future<Void> start() {
    store.start(id)
        .compose(started -> {
          options = started.options();
          view = started.job();
          completed = view.completed();
          succeeded = view.succeeded();
          failed = view.failed();
          context = contexts.apply(options);
          return store.work(workRequest());
        })
        .compose(grant -> grant.workers() == 0 || context.mirrorDir() == null
            ? Future.succeededFuture(grant)
            : prepareMirror(context.mirrorDir(), grant.workers() == 1).map(grant))
        .onSuccess(grant -> {
          if (ending) {
            return;
          }
          if (grant.workers() == 0) {
            LOG.debug("job {}: not joined ({}; as many nodes as its limits allow)", id, grant.status().wire());
            ended.tryComplete();
            return;
          }
          startedNanos = System.nanoTime();
          LOG.info("job {} running here: concurrency {} of {}, perHost {} of {}, {} of {} done before, {} node(s)", id,
              grant.concurrency(), options.concurrency(), grant.perHost(), options.perHost(), completed, view.total(),
              grant.workers());
          armDeadline();
          granted(grant);
          if (grant.workers() > 1) {
            announce(false);
          }
        })
        .onFailure(ended::tryFail);
    return ended.future();
  }

  private StoreApi.WorkRequest workRequest() {
    int hostInFlight = 0;
    for (int n : perHost.values()) {
      hostInFlight = Math.max(hostInFlight, n);
    }
    return new StoreApi.WorkRequest(id, lease.owner(), lease.node(), lease.leaseMs(), inFlight.size(), hostInFlight,
        chunks.values().stream().map(chunk -> chunk.number).toList());
  }

  /**
   * Renews this node's place and chunk leases, and takes its share of the limits again. Until the store answers, no
   * more is started than what was reported in flight: the share the store computes counts on it.
   */
  void renew() {
    if (renewing || ending || view == null) {
      return;
    }
    renewing = true;
    vertx.cancelTimer(renewTimer);
    StoreApi.WorkRequest request = workRequest();
    concurrency = Math.min(concurrency, request.inFlight());
    hostConcurrency = Math.min(hostConcurrency, request.hostInFlight());
    store.work(request).onComplete(ar -> {
      renewing = false;
      if (ending) {
        return;
      }
      if (ar.failed()) {
        // Cut off from the store: start nothing until it answers (its lease may lapse, and others take over).
        LOG.warn("job {}: renewing this node's place failed, starting no fetch until it succeeds: {}", id,
            ar.cause().toString());
        concurrency = 0;
        hostConcurrency = 0;
        renewTimer = vertx.setTimer(STORE_RETRY_MS, t -> renew());
        return;
      }
      StoreApi.WorkGrant grant = ar.result();
      if (!grant.admitted()) {
        LOG.info("job {}: {} elsewhere; this node stops its part", id, grant.status().wire());
        stop();
        return;
      }
      if (!grant.lost().isEmpty()) {
        // Its leases lapsed (it missed its renewals) and another node may fetch those URLs already: start afresh.
        LOG.warn("job {}: this node lost chunk leases it was working on; its part starts again", id);
        stop();
        return;
      }
      granted(grant);
    });
  }

  private void granted(StoreApi.WorkGrant grant) {
    concurrency = grant.concurrency();
    hostConcurrency = grant.perHost();
    renewTimer = vertx.setTimer(grant.settled() ? lease.renewMs() : UNSETTLED_RENEW_MS, t -> renew());
    pump();
  }

  /** Tells the other fetch nodes that this job's workers changed; {@code invite}: idle ones may join it. */
  private void announce(boolean invite) {
    FetchApi.WORKERS.publish(vertx, new FetchApi.WorkersChanged(id, invite));
  }

  /**
   * Creates the job's mirror directory and, when this node is the only one working on the job ({@code alone}),
   * clears the temporary files an earlier run left in it (one that crashed mid-fetch): with other nodes live, those
   * may be theirs, still being written.
   */
  private Future<Void> prepareMirror(Path dir, boolean alone) {
    Future<Void> created = vertx.fileSystem().mkdirs(dir.toString());
    return !alone ? created : created
        .compose(v -> DirectorySweep.removeTemporaryIn(vertx, dir))
        .map(removed -> {
          if (removed > 0) {
            LOG.info("job {}: removed {} unfinished mirror file(s) left by an earlier run", id, removed);
          }
          return null;
        });
  }

  /** Aborts what is in flight, stores what finished, marks the rest cancelled; completes with the job. */
  Future<JobView> cancel() {
    return end(JobStatus.CANCELLED, Outcome.CANCELLED);
  }

  /**
   * For shutdown, or when the job ended elsewhere: stops starting fetches, aborts those in flight and stores what
   * finished; the job stays resumable.
   */
  Future<Void> stop() {
    ending = true;
    vertx.cancelTimer(renewTimer);
    // Bounded: with the database away, what is not stored in time is fetched again on resume.
    Promise<Void> stopped = Promise.promise();
    long timer = vertx.setTimer(STOP_DRAIN_MS, t -> stopped.tryComplete());
    abortInFlight().compose(v -> batcher.drain()).onComplete(ar -> {
      vertx.cancelTimer(timer);
      stopped.tryComplete();
    });
    return stopped.future().onComplete(ar -> ended.tryComplete());
  }

  /**
   * What the run is doing now, for the monitor: {"id", "inFlight", "queued", "unstored", "done", "total",
   * "concurrency", "perHost" (this node's share), "chunks" (leased here)}.
   */
  JsonObject monitor() {
    return new JsonObject().put("id", id).put("inFlight", inFlight.size()).put("queued", queue.size())
        .put("unstored", batcher.pending()).put("done", completed).put("total", view == null ? null : view.total())
        .put("concurrency", concurrency).put("perHost", hostConcurrency).put("chunks", chunks.size());
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
   * from launch(): such calls only ask for one more round, so a round's turns are never changed under it.
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
    long now = System.nanoTime();
    long wakeAt = Long.MAX_VALUE;
    // One round: each host with URLs waiting gets a turn, and starts what its limits let it.
    for (int turn = queue.hosts(); turn > 0 && inFlight.size() < concurrency && !batcher.full(); turn--) {
      String host = queue.nextHost();
      Long freeAt = hostFreeAt.isEmpty() ? null : hostFreeAt.get(host);
      if (freeAt != null && freeAt - now > 0) {
        wakeAt = Math.min(wakeAt, freeAt);
        queue.endTurn();
        continue;
      }
      int started = 0;
      boolean refused = false;
      for (int n = perHost.getOrDefault(host, 0); n < hostConcurrency && queue.turnHasWaiting()
          && inFlight.size() < concurrency && !batcher.full(); n++) {
        if (!limiter.tryAcquire(pump)) {
          refused = true;
          break;
        }
        launch(queue.take(), host);
        started++;
        if (options.perHostDelayMs() > 0) {
          // One start per delay: the host's next URL may start once it has passed, or at a completion.
          if (queue.turnHasWaiting()) {
            wakeAt = Math.min(wakeAt, hostFreeAt.get(host));
          }
          break;
        }
      }
      if (refused) {
        // The fetcher's shared limit is full: the round ends, and a host that started nothing keeps its turn.
        if (started > 0) {
          queue.endTurn();
        }
        break;
      }
      queue.endTurn();
    }
    if (wakeAt != Long.MAX_VALUE && delayTimer < 0) {
      delayTimer = vertx.setTimer(Math.max(1, (wakeAt - now) / 1_000_000), t -> {
        delayTimer = -1;
        pump();
      });
    }
    if (!exhausted && !loading && concurrency > 0 && queue.size() < 2 * concurrency) {
      leaseChunk();
    }
    if (exhausted && queue.isEmpty() && inFlight.isEmpty()) {
      end(JobStatus.DONE, null);
    }
  }

  private void launch(UrlRef url, String host) {
    perHost.merge(host, 1, Integer::sum);
    if (options.perHostDelayMs() > 0) {
      hostFreeAt.put(host, System.nanoTime() + options.perHostDelayMs() * 1_000_000);
    }
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
    bytes += result.bytes();
    if (result.outcome() == Outcome.OK) {
      unstoredOk++;
    } else {
      unstoredFailed++;
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
    int done = completed + unstoredOk + unstoredFailed;
    progress.publish(vertx, new Progress(id, status, view.total(), done, succeeded + unstoredOk,
        failed + unstoredFailed, bytes, (done - view.completed()) / seconds, last));
  }

  /**
   * Leases the next free chunk and queues its URLs without a result. With none free, the job is done here: it is
   * finished, or, if that was refused already, left to the nodes that still hold chunks.
   */
  private void leaseChunk() {
    loading = true;
    store.leaseChunk(new StoreApi.ChunkRequest(id, lease.owner(), lease.leaseMs()))
        .onComplete(ar -> {
          loading = false;
          if (ending) {
            return;
          }
          if (ar.failed()) {
            LOG.warn("job {}: leasing URLs failed, retrying: {}", id, ar.cause().toString());
            vertx.setTimer(STORE_RETRY_MS, t -> pump());
            return;
          }
          Integer chunk = ar.result().chunk();
          if (chunk == null) {
            exhausted = true;
            if (finishRefused && queue.isEmpty() && inFlight.isEmpty()) {
              leave();
              return;
            }
          } else {
            finishRefused = false;
            List<UrlRef> urls = ar.result().urls();
            if (urls.isEmpty()) {
              chunksMarked.add(markDone(chunk));
            } else {
              urls.forEach(url -> queue.add(url, hostOf(url.url())));
              chunks.put(urls.get(0).seq(), new Chunk(chunk, urls.size()));
            }
            if (!invited) {
              invited = true;
              announce(true);
            }
          }
          pump();
        });
  }

  private Future<?> markDone(int chunk) {
    return store.chunkDone(new StoreApi.ChunkDone(id, chunk))
        .onFailure(err -> LOG.warn("job {}: marking chunk {} done failed; the node that leases it next does: {}", id,
            chunk, err.toString()));
  }

  /** This node has nothing left to do while others finish the job: it ends its run (which gives its place back). */
  private void leave() {
    ending = true;
    vertx.cancelTimer(renewTimer);
    vertx.cancelTimer(deadlineTimer);
    vertx.cancelTimer(progressTimer);
    vertx.cancelTimer(delayTimer);
    LOG.info("job {}: no chunk left here; the nodes still working on it finish it", id);
    ended.tryComplete();
  }

  /**
   * Ends the job: {@code DONE} once everything is stored; otherwise in-flight fetches are aborted, finished results
   * stored, and every URL still without a result gets {@code rest}.
   */
  private Future<JobView> end(JobStatus status, Outcome rest) {
    if (ending) {
      return Future.failedFuture(FailureCode.CONFLICT.exception("job " + id + " is already ending"));
    }
    ending = true;
    vertx.cancelTimer(deadlineTimer);
    vertx.cancelTimer(progressTimer);
    vertx.cancelTimer(delayTimer);
    StoreApi.JobEnd end = new StoreApi.JobEnd(id, status, rest);
    Future<JobView> stored = abortInFlight().compose(v -> batcher.drain())
        .compose(v -> Future.join(List.copyOf(chunksMarked)).otherwiseEmpty())
        .compose(v -> rest == null ? store.finish(end)
            : store.abandon(end).onSuccess(job -> FetchApi.ENDED.publish(vertx, id)));
    stored.onComplete(ar -> {
      if (ar.failed()) {
        ended.tryFail(ar.cause());
        return;
      }
      JobView finished = ar.result();
      counted(finished.completed(), finished.succeeded(), finished.failed());
      if (!finished.status().finished()) {
        lookAgain();
        return;
      }
      vertx.cancelTimer(renewTimer);
      publish(finished.status(), true);
      metrics.jobEnded(finished);
      LOG.info("job {} {}", id, finished.status().wire());
      ended.tryComplete();
    });
    return stored;
  }

  /**
   * The store refused DONE: other nodes still hold chunks, or results it had acknowledged are gone (the database
   * crashed before their asynchronous commit reached its disk, and the store opened their chunks again). The run
   * leases once more; with still no chunk free it leaves the job to the others.
   */
  private void lookAgain() {
    chunksMarked.clear();
    finishRefused = true;
    exhausted = false;
    ending = false;
    armDeadline();
    // A renewal that came due while the run was ending did not arm the next one.
    renew();
    pump();
  }

  /** Aborts every fetch in flight; completes once each has ended (requests reset, partial files removed). */
  private Future<Void> abortInFlight() {
    limiter.forget(pump);
    List<UrlFetch> fetches = List.copyOf(inFlight.values());
    fetches.forEach(UrlFetch::abort);
    return Future.join(fetches.stream().map(UrlFetch::ended).toList()).mapEmpty();
  }

  /** Stores a batch; the per-host summary of what finished since the last one goes out with it (a retry adds none). */
  private Future<?> storeBatch(List<FetchResult> results) {
    if (!tally.isEmpty()) {
      FetchApi.RESULTS.publish(vertx, tally.take(id));
    }
    return store.append(new ResultBatch(id, results)).onSuccess(reply -> stored(results, reply));
  }

  /** Counts a stored batch out of this node's unstored results, and marks the chunks it completed done. */
  private void stored(List<FetchResult> results, StoreApi.Stored reply) {
    for (FetchResult result : results) {
      if (result.outcome() == Outcome.OK) {
        unstoredOk--;
      } else {
        unstoredFailed--;
      }
      Map.Entry<Integer, Chunk> entry = chunks.floorEntry(result.seq());
      if (entry != null && --entry.getValue().left == 0) {
        chunks.remove(entry.getKey());
        chunksMarked.add(markDone(entry.getValue().number));
      }
    }
    counted(reply.completed(), reply.succeeded(), reply.failed());
  }

  /** The job's counters from the store; replies from concurrent batches may come out of order. */
  private void counted(int completed, int succeeded, int failed) {
    if (completed >= this.completed) {
      this.completed = completed;
      this.succeeded = succeeded;
      this.failed = failed;
    }
  }

  /** A leased chunk: its number, and how many of its URLs queued here have no stored result yet. */
  private static final class Chunk {
    final int number;
    int left;

    Chunk(int number, int left) {
      this.number = number;
      this.left = left;
    }
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
