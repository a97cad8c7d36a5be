package dev.fetchbus.verticles.http;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Progress;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.store.api.StoreApi;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The feed on a real event bus, with a stand-in store answering job reads from a script of statuses. */
class ProgressFeedTest {
  private static final String ID = "0b6f2c1e-8a43-4c3e-9d51-5f7a0e2b9c10";

  private Vertx vertx;
  private Context context;
  private ProgressFeed feed;
  private final List<JobStatus> storedStatuses = new ArrayList<>();
  private final AtomicInteger reads = new AtomicInteger();
  private final Recorder sink = new Recorder();

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    context = vertx.getOrCreateContext();
    feed = new ProgressFeed(vertx, new Bus(vertx, 5_000));
    await(Bus.consume(vertx, StoreApi.JOBS_GET.address(), request -> {
      int n = reads.getAndIncrement();
      JobStatus status = storedStatuses.get(Math.min(n, storedStatuses.size() - 1));
      return Future.succeededFuture(job(status, status.finished() ? 3 : n).toJson());
    }));
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  private static JobView job(JobStatus status, int completed) {
    return new JobView(ID, status, 3, completed, completed, 0, 0, 0, null, null, null, null);
  }

  /** Records what a feed sends, on the feed's event loop, read from the test thread. */
  private static final class Recorder implements ProgressFeed.Sink {
    private final List<JsonObject> events = new ArrayList<>();
    private int ends;

    @Override
    public synchronized void send(JsonObject progress) {
      events.add(progress);
    }

    @Override
    public synchronized void end() {
      ends++;
    }

    @Override
    public void keepAlive() {
    }

    synchronized List<Boolean> finals() {
      return events.stream().map(e -> e.getBoolean("final")).toList();
    }

    synchronized int ends() {
      return ends;
    }
  }

  private <T> T onContext(Supplier<T> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> done.complete(action.get()));
    return await(done.future());
  }

  private ProgressFeed.Subscription follow() {
    Progress now = await(feed.current(ID));
    return onContext(() -> feed.follow(ID, now, sink));
  }

  private void awaitReads(int n) {
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(5), 10, () -> Future.succeededFuture(reads.get() >= n)));
  }

  private void publish(boolean last) {
    vertx.eventBus().publish(FetchApi.progress(ID).address(),
        new Progress(ID, last ? JobStatus.DONE : JobStatus.RUNNING, 3, 2, 2, 0, 10, 1.5, last).toJson());
  }

  /** True once nobody listens on the job's address any more. */
  private boolean unsubscribed() {
    Future<Object> probe = vertx.eventBus().request(FetchApi.progress(ID).address(), new JsonObject(),
        new DeliveryOptions().setSendTimeout(500)).map(r -> (Object) r);
    try {
      await(probe);
      return false;
    } catch (AssertionError e) {
      return e.getCause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
    }
  }

  @Test
  void sendsTheStoredStateThenEveryEventUntilTheFinalOneThenEndsAndLetsGo() {
    storedStatuses.add(JobStatus.RUNNING);
    follow();
    awaitReads(2); // the read for the state now, and the look once more after the consumer registered
    publish(false);
    publish(true);
    publish(false);
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(5), 10, () -> Future.succeededFuture(sink.ends() == 1)));
    assertThat(sink.finals()).containsExactly(false, false, true);
    assertThat(unsubscribed()).isTrue();
    assertThat(sink.ends()).isOne();
  }

  @Test
  void aJobThatEndsWhileTheConsumerRegistersEndsTheFeedFromTheSecondLook() {
    storedStatuses.add(JobStatus.RUNNING);
    storedStatuses.add(JobStatus.DONE);
    follow();
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(5), 10, () -> Future.succeededFuture(sink.ends() == 1)));
    assertThat(sink.finals()).containsExactly(false, true);
    assertThat(unsubscribed()).isTrue();
  }

  @Test
  void anEndedJobIsOneEventAndNoSubscription() {
    storedStatuses.add(JobStatus.CANCELLED);
    follow();
    assertThat(sink.finals()).containsExactly(true);
    assertThat(sink.ends()).isOne();
    assertThat(unsubscribed()).isTrue();
  }

  @Test
  void closingTheFeedStopsItWithoutEndingTheSink() {
    storedStatuses.add(JobStatus.RUNNING);
    ProgressFeed.Subscription subscription = follow();
    awaitReads(2);
    onContext(() -> {
      subscription.close();
      return null;
    });
    publish(true);
    assertThat(unsubscribed()).isTrue();
    assertThat(sink.finals()).containsExactly(false);
    assertThat(sink.ends()).isZero();
  }
}
