package dev.fetchbus.verticles.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works off one kind of outbox task: claims due tasks with a lease, runs each, marks it done, or puts it back with
 * exponential backoff and full jitter until {@code giveUpMs} after it was queued. A task whose worker dies is
 * claimed again when its lease ends: at least once.
 */
public final class OutboxPoller {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxPoller.class);

  private final Vertx vertx;
  private final Bus bus;
  private final String kind;
  private final Function<JsonObject, Future<?>> work;
  private final JsonObject limits;
  private boolean polling;

  /** {@code limits}: pollMs, batch, leaseMs, retryBaseMs, retryMaxMs, giveUpMs. */
  public OutboxPoller(Vertx vertx, Bus bus, String kind, JsonObject limits, Function<JsonObject, Future<?>> work) {
    this.vertx = vertx;
    this.bus = bus;
    this.kind = kind;
    this.limits = limits;
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
    bus.request(Addresses.STORE_OUTBOX_CLAIM, new JsonObject().put("kind", kind)
            .put("limit", limits.getInteger("batch")).put("leaseMs", limits.getLong("leaseMs")))
        .compose(reply -> Future.join(reply.getJsonArray("tasks").stream()
            .map(task -> run((JsonObject) task)).toList()))
        .onComplete(ar -> polling = false);
  }

  private Future<?> run(JsonObject task) {
    long id = task.getLong("id");
    Future<?> done;
    try {
      done = work.apply(task);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    return done.transform(ar -> {
      if (ar.succeeded()) {
        return bus.request(Addresses.STORE_OUTBOX_DONE, new JsonObject().put("id", id));
      }
      String error = String.valueOf(ar.cause().getMessage());
      if (System.currentTimeMillis() - task.getLong("createdAt") > limits.getLong("giveUpMs")) {
        LOG.warn("{} for job {} given up after {} attempts: {}", kind, task.getString("jobId"),
            task.getInteger("attempts"), error);
        return bus.request(Addresses.STORE_OUTBOX_DONE, new JsonObject().put("id", id).put("error", "gave up: " + error));
      }
      long ceiling = Math.min(limits.getLong("retryMaxMs"),
          limits.getLong("retryBaseMs") << Math.min(20, task.getInteger("attempts") - 1));
      long delay = ThreadLocalRandom.current().nextLong(ceiling + 1);
      LOG.info("{} for job {} failed (attempt {}), again in {} ms: {}", kind, task.getString("jobId"),
          task.getInteger("attempts"), delay, error);
      return bus.request(Addresses.STORE_OUTBOX_LATER, new JsonObject().put("id", id).put("delayMs", delay)
          .put("error", error));
    });
  }
}
