package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.UrlRef;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/** Every attempt at one URL: retried with backoff while the policy says so and attempts remain; abortable. */
final class UrlFetch {
  private final FetchContext context;
  private final JobOptions options;
  private final UrlRef url;
  private final long started = System.nanoTime();
  private final Promise<FetchResult> done = Promise.promise();
  private int attempts;
  private Attempt current;
  private long retryTimer = -1;
  private boolean aborted;

  UrlFetch(FetchContext context, JobOptions options, UrlRef url) {
    this.context = context;
    this.options = options;
    this.url = url;
  }

  Future<FetchResult> start() {
    attempt();
    return done.future();
  }

  /** Completes once the fetch has ended (after an abort: once its request is reset and any partial file removed). */
  Future<FetchResult> ended() {
    return done.future();
  }

  /** Ends the fetch now with outcome {@code cancelled}: the request is reset, any partial file removed. */
  void abort() {
    aborted = true;
    if (retryTimer >= 0) {
      context.vertx().cancelTimer(retryTimer);
      retryTimer = -1;
      finish(Attempt.Result.of(Outcome.CANCELLED, null));
    } else if (current != null) {
      current.abort();
    }
  }

  private void attempt() {
    retryTimer = -1;
    attempts++;
    MirrorTarget mirror = context.mirrorDir() == null ? null
        : new MirrorTarget(context.mirrorDir(), Integer.toString(url.seq()), context.mirrorPrefix() + "/" + url.seq());
    current = Attempt.start(context, options, url.url(), mirror);
    current.result().onSuccess(result -> {
      if (done.future().isComplete()) {
        return;
      }
      if (!aborted && result.outcome() != Outcome.CANCELLED && attempts <= options.retries()
          && context.retry().retries(result.outcome(), result.status())) {
        retryTimer = context.vertx().setTimer(Math.max(1, context.retry().delayMs(attempts, result.retryAfter())),
            id -> attempt());
      } else {
        finish(result);
      }
    });
  }

  private void finish(Attempt.Result r) {
    done.tryComplete(new FetchResult(url.seq(), null, r.outcome(), r.status(), r.bytes(), r.sha256(),
        (System.nanoTime() - started) / 1_000_000, attempts, r.decoded(), r.path()));
  }
}
