package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Progress;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * A job's progress for a streaming client (server-sent events, WebSocket): the stored state first, then every event
 * published on the job's address until the final one. Both routes use it, so they re-check, end and release their
 * consumer the same way.
 */
final class ProgressFeed {
  /** Often enough for idle proxies and the server's own idle timeout (60 s) not to close a quiet stream. */
  private static final long KEEP_ALIVE_MS = 15_000;

  /** Where a feed's events go; called on the route's event loop. */
  interface Sink {
    void send(JsonObject progress);

    /** Called once, right after the final event was sent: finish the stream. */
    void end();

    /** Nothing needs saying, but the stream must not look idle. */
    void keepAlive();
  }

  private final Vertx vertx;
  private final StoreApi store;

  ProgressFeed(Vertx vertx, Bus bus) {
    this.vertx = vertx;
    this.store = StoreApi.client(bus);
  }

  /** The job's stored progress; fails as the store does (NOT_FOUND for an unknown job). */
  Future<Progress> current(String id) {
    return store.view(id).map(job -> Progress.of(JobView.fromJson(job)));
  }

  /**
   * Sends {@code now} (from {@link #current}), then the job's events until the final one, then ends the sink. An
   * ended job's feed is that one event. The route closes the returned feed when its client goes away.
   */
  Subscription follow(String id, Progress now, Sink sink) {
    Subscription feed = new Subscription(sink);
    feed.deliver(now.toJson());
    if (feed.closed) {
      return feed;
    }
    feed.consumer = FetchApi.progress(id).consumer(vertx, event -> feed.deliver(event.toJson()));
    feed.keepAlive = vertx.setPeriodic(KEEP_ALIVE_MS, t -> sink.keepAlive());
    // The job may have ended while the consumer was being registered, its final event unheard: look once more.
    feed.consumer.completion().compose(v -> current(id)).onSuccess(latest -> {
      if (latest.last()) {
        feed.deliver(latest.toJson());
      }
    });
    return feed;
  }

  /** One client's feed. */
  final class Subscription {
    private final Sink sink;
    private MessageConsumer<JsonObject> consumer;
    private long keepAlive = -1;
    private boolean closed;

    private Subscription(Sink sink) {
      this.sink = sink;
    }

    private void deliver(JsonObject progress) {
      if (closed) {
        return;
      }
      sink.send(progress);
      if (progress.getBoolean("final", false)) {
        close();
        sink.end();
      }
    }

    /** Stops the feed without ending the sink (its client has gone); safe to call more than once. */
    void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (consumer != null) {
        consumer.unregister();
      }
      if (keepAlive >= 0) {
        vertx.cancelTimer(keepAlive);
      }
    }
  }
}
