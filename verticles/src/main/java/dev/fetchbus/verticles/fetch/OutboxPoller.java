package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.ops.ThrottledLog;
import dev.fetchbus.verticles.retry.Backoff;
import dev.fetchbus.verticles.store.api.StoreApi;
import dev.fetchbus.verticles.store.api.StoreApi.OutboxTask;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works off one kind of outbox task: claims due tasks with a lease, runs each, marks it done, or puts it back with
 * exponential backoff and full jitter until {@code giveUpMs} after it was queued. A task that fails with a
 * {@link PermanentFailure} is given up at once. A task whose worker dies is claimed again when its lease ends: at
 * least once. A task that keeps failing is logged at most once per {@value #FAILURE_LOG_INTERVAL_MS} ms.
 */
public final class OutboxPoller {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxPoller.class);
  private static final long FAILURE_LOG_INTERVAL_MS = 300_000;
  /** Failing tasks remembered for throttling; past this the longest-quiet one is forgotten (and may log again). */
  private static final int MAX_FAILURE_LOGS = 10_000;

  private final Vertx vertx;
  private final StoreApi store;
  private final String kind;
  private final Function<OutboxTask, Future<?>> work;
  private final JsonObject limits;
  private final Backoff backoff;
  private final Map<Long, ThrottledLog> failureLogs = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, ThrottledLog> eldest) {
      return size() > MAX_FAILURE_LOGS;
    }
  };
  private boolean polling;

  /** {@code limits}: pollMs, batch, leaseMs, backoff ({@link Backoff}), giveUpMs. */
  public OutboxPoller(Vertx vertx, StoreApi store, String kind, JsonObject limits,
                      Function<OutboxTask, Future<?>> work) {
    this.vertx = vertx;
    this.store = store;
    this.kind = kind;
    this.limits = limits;
    this.backoff = Backoff.of(limits.getJsonObject("backoff"));
    this.work = work;
  }

  /** Polls now and every pollMs, until the verticle that started it is undeployed. */
  public void start() {
    poll();
    vertx.setPeriodic(limits.getLong("pollMs"), id -> poll());
  }

  private void poll() {
    if (polling) {
      return;
    }
    polling = true;
    store.claim(new StoreApi.OutboxClaim(kind, limits.getInteger("batch"), limits.getLong("leaseMs")))
        .compose(tasks -> Future.join(tasks.stream().map(this::run).toList()))
        .onComplete(ar -> polling = false);
  }

  private Future<?> run(OutboxTask task) {
    long id = task.id();
    Future<?> done;
    try {
      done = work.apply(task);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    return done.transform(ar -> {
      if (ar.succeeded()) {
        failureLogs.remove(id);
        return store.taskDone(new StoreApi.TaskDone(id, null));
      }
      String error = String.valueOf(ar.cause().getMessage());
      int attempts = task.attempts();
      if (ar.cause() instanceof PermanentFailure) {
        return giveUp(task, "not retried: " + error);
      }
      if (System.currentTimeMillis() - task.createdAt() > limits.getLong("giveUpMs")) {
        return giveUp(task, "gave up: " + error);
      }
      long delay = backoff.delayMs(attempts);
      failureLogs.computeIfAbsent(id, k -> new ThrottledLog(LOG, FAILURE_LOG_INTERVAL_MS)).warn(kind + " for job "
          + task.jobId() + " failed (attempt " + attempts + "), again in " + delay + " ms: " + error);
      return store.taskLater(new StoreApi.TaskLater(id, delay, error));
    });
  }

  private Future<Void> giveUp(OutboxTask task, String error) {
    failureLogs.remove(task.id());
    LOG.warn("{} for job {} given up after {} attempt(s), {}", kind, task.jobId(), task.attempts(), error);
    return store.taskDone(new StoreApi.TaskDone(task.id(), error));
  }

  /**
   * A failure that another attempt would not change (a refused address, a 404): the task is given up at once, with
   * the message as its last error.
   */
  public static final class PermanentFailure extends RuntimeException {
    public PermanentFailure(String message) {
      super(message, null, false, false);
    }
  }
}
