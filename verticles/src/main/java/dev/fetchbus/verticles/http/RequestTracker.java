package dev.fetchbus.verticles.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of every request (see {@link Middleware}): counts the requests in flight, across all HTTP verticle instances, and in
 * debug mode logs each request slower than {@code debug.slowHandlerMs} with its method and route template. A
 * request leaves the count when its response ends, fails or its connection closes.
 */
final class RequestTracker {
  private static final Logger LOG = LoggerFactory.getLogger(RequestTracker.class);
  private static final String MAP = "fetchbus.monitor";
  private static final String KEY = "httpInFlight";

  private final InFlight inFlight;
  private final long slowNanos;

  private RequestTracker(InFlight inFlight, long slowNanos) {
    this.inFlight = inFlight;
    this.slowNanos = slowNanos;
  }

  /** {@code debug}: the config's debug section; slow requests are logged only when it is enabled. */
  static RequestTracker create(Vertx vertx, JsonObject debug) {
    long slowNanos = debug.getBoolean("enabled") ? TimeUnit.MILLISECONDS.toNanos(debug.getLong("slowHandlerMs")) : 0;
    return new RequestTracker(inFlightCounter(vertx), slowNanos);
  }

  /** Requests in flight now, over every HTTP verticle instance of this Vert.x. */
  static long inFlight(Vertx vertx) {
    return inFlightCounter(vertx).count.sum();
  }

  /** Counts the request until it ends (and times it, in debug mode). */
  void track(RoutingContext ctx) {
    inFlight.count.increment();
    if (slowNanos > 0) {
      long start = System.nanoTime();
      ctx.addEndHandler(ar -> {
        inFlight.count.decrement();
        logIfSlow(ctx, System.nanoTime() - start);
      });
    } else {
      ctx.addEndHandler(ar -> inFlight.count.decrement());
    }
  }

  private void logIfSlow(RoutingContext ctx, long elapsedNanos) {
    if (elapsedNanos > slowNanos) {
      Route route = ctx.currentRoute();
      // The route's template (/api/jobs/:id); a request no route matched has only its path.
      String template = route == null || route.getName() == null ? ctx.normalizedPath() : route.getName();
      LOG.warn("slow request: {} {} took {} ms (debug.slowHandlerMs {})", ctx.request().method(), template,
          TimeUnit.NANOSECONDS.toMillis(elapsedNanos), TimeUnit.NANOSECONDS.toMillis(slowNanos));
    }
  }

  private static InFlight inFlightCounter(Vertx vertx) {
    LocalMap<String, InFlight> map = vertx.sharedData().getLocalMap(MAP);
    return map.computeIfAbsent(KEY, key -> new InFlight());
  }

  /** One counter per Vert.x instance, shared (not copied) through its local map. */
  private static final class InFlight implements Shareable {
    private final LongAdder count = new LongAdder();
  }
}
