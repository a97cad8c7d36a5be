package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.FetchResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects results and hands them to the store in batches bounded by count and by time. A batch that failed to
 * store is kept and retried (only one the store refused outright, for a job that no longer exists, is dropped); {@link #full()} tells the producer to stop starting work while the store is behind.
 */
final class ResultBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(ResultBatcher.class);

  private final Vertx vertx;
  private final int maxBatch;
  private final long maxDelayMs;
  private final int maxPending;
  private final long retryDelayMs;
  private final Function<List<FetchResult>, Future<?>> sink;
  private final Runnable onSpaceFreed;
  private final FetchMetrics metrics;
  private final List<Promise<Void>> drainWaiters = new ArrayList<>();

  private List<FetchResult> buffer = new ArrayList<>();
  private int inFlight;
  private long timer = -1;

  ResultBatcher(Vertx vertx, BatchLimits limits, Function<List<FetchResult>, Future<?>> sink, Runnable onSpaceFreed,
                FetchMetrics metrics) {
    this.vertx = vertx;
    this.maxBatch = limits.maxBatch();
    this.maxDelayMs = limits.maxDelayMs();
    this.maxPending = limits.maxPending();
    this.retryDelayMs = limits.retryDelayMs();
    this.sink = sink;
    this.onSpaceFreed = onSpaceFreed;
    this.metrics = metrics;
  }

  void add(FetchResult result) {
    buffer.add(result);
    if (buffer.size() >= maxBatch) {
      flush();
    } else if (timer < 0) {
      timer = vertx.setTimer(maxDelayMs, id -> {
        timer = -1;
        flush();
      });
    }
  }

  boolean full() {
    return pending() >= maxPending;
  }

  /** Completes once every result added so far is stored. */
  Future<Void> drain() {
    flush();
    if (idle()) {
      return Future.succeededFuture();
    }
    Promise<Void> waiter = Promise.promise();
    drainWaiters.add(waiter);
    return waiter.future();
  }

  /** Results added but not yet stored. */
  int pending() {
    return buffer.size() + inFlight;
  }

  private boolean idle() {
    return buffer.isEmpty() && inFlight == 0;
  }

  private void flush() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (buffer.isEmpty()) {
      return;
    }
    List<FetchResult> batch = buffer;
    buffer = new ArrayList<>();
    inFlight += batch.size();
    metrics.batchFlushed(batch.size());
    sink.apply(batch).onComplete(ar -> {
      inFlight -= batch.size();
      if (ar.failed() && permanent(ar.cause())) {
        // The store refused the batch itself (its job is gone): retrying cannot help.
        LOG.warn("dropping {} results the store refused: {}", batch.size(), ar.cause().toString());
      } else if (ar.failed()) {
        LOG.warn("storing {} results failed, retrying in {} ms: {}", batch.size(), retryDelayMs, ar.cause().toString());
        buffer.addAll(0, batch);
        if (timer < 0) {
          timer = vertx.setTimer(retryDelayMs, id -> {
            timer = -1;
            flush();
          });
        }
        return;
      }
      if (idle()) {
        drainWaiters.forEach(Promise::tryComplete);
        drainWaiters.clear();
      }
      onSpaceFreed.run();
    });
  }

  private static boolean permanent(Throwable failure) {
    return failure instanceof io.vertx.core.eventbus.ReplyException reply
        && (FailureCode.of(reply) == FailureCode.NOT_FOUND || FailureCode.of(reply) == FailureCode.BAD_INPUT);
  }

  /** How results are batched: by count, by age, how many may wait at most, and the retry pause after a failure. */
  record BatchLimits(int maxBatch, long maxDelayMs, int maxPending, long retryDelayMs) {
  }
}
