package dev.fetchbus.verticles.testing;

import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Vert.x for tests: the blocked-thread checker at a low threshold, plus bounded waits on futures. */
public final class StrictVertx {
  /** An event loop busy for longer than this is reported (and fails the test through {@link BlockedThreadAlarm}). */
  public static final long MAX_EVENT_LOOP_MS = 250;
  public static final long CHECK_INTERVAL_MS = 50;

  private StrictVertx() {
  }

  public static VertxOptions options() {
    return new VertxOptions()
        .setMaxEventLoopExecuteTime(MAX_EVENT_LOOP_MS).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(CHECK_INTERVAL_MS).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS);
  }

  public static Vertx create() {
    // Netty's first pooled chunk registers a JFR event type, and JFR then builds its metadata: about 300 ms, once
    // per JVM. Done here, on the test thread, it does not land on an event loop in the middle of a test.
    ByteBufAllocator.DEFAULT.directBuffer(1).release();
    return Vertx.vertx(options());
  }

  /**
   * Ends a component test: undeploys the verticle under test first (when one was deployed: the fakes of its peers
   * still answer what it asks as it stops), then closes Vert.x and removes the test's data dir.
   */
  public static void close(Vertx vertx, String underTest, Path dataDir) throws IOException {
    if (underTest != null) {
      await(vertx.undeploy(underTest));
    }
    await(vertx.close());
    TempDirs.delete(dataDir);
  }

  /** Waits for a future from a test thread, never longer than {@code timeout}. */
  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("future did not complete within " + timeout, e);
    }
  }

  public static <T> T await(Future<T> future) {
    return await(future, Duration.ofSeconds(30));
  }

  /**
   * Completes once {@code check} yields true, asking again every {@code everyMs} on a timer; fails after
   * {@code timeout}. The waiting happens on timers, so a test thread only waits on the returned future.
   */
  public static Future<Void> eventually(Vertx vertx, Duration timeout, long everyMs, Supplier<Future<Boolean>> check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    poll(vertx, deadline, everyMs, check, done);
    return done.future();
  }

  private static void poll(Vertx vertx, long deadline, long everyMs, Supplier<Future<Boolean>> check,
                           io.vertx.core.Promise<Void> done) {
    check.get().onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        done.complete();
      } else if (System.nanoTime() > deadline) {
        done.fail("condition not met in time" + (ar.failed() ? ": " + ar.cause() : ""));
      } else {
        vertx.setTimer(everyMs, id -> poll(vertx, deadline, everyMs, check, done));
      }
    });
  }
}
