package dev.fetchbus.verticles.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.FunctionTimer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of every request (see {@link Middleware}): counts the requests in flight, across all HTTP verticle
 * instances; times each into {@code fetchbus.http.server.requests} by method, status code and route template; and in
 * debug mode logs each request slower than {@code debug.slowHandlerMs}. A request ends when its response ends, fails
 * or its connection closes (code {@code closed}).
 *
 * <p>These are Fetchbus's meters, not vertx-micrometer's HTTP server meters (turned off in {@code ops/Metrics}): those
 * look their meters up by tags on every request and cost a tenth to a fifth of a small request's CPU. Here a request
 * costs one map lookup (by route object, method and code) and two {@link LongAdder} increments, read as a Prometheus
 * count and sum at scrape time (a {@link FunctionTimer}: no maximum, no histogram).
 */
final class RequestTracker {
  private static final Logger LOG = LoggerFactory.getLogger(RequestTracker.class);
  private static final String MAP = "fetchbus.monitor";
  private static final String KEY = "httpInFlight";
  private static final String TIMER = "fetchbus.http.server.requests";
  /** Any other method (HTTP allows extension methods) is labelled OTHER, so a client cannot add series at will. */
  private static final Set<HttpMethod> KNOWN_METHODS = Set.copyOf(HttpMethod.values());
  /** The label of requests that ended before any route matched (refused by the middleware, or 404). */
  private static final String NO_ROUTE = "none";
  private static final int CLOSED = 0;

  private final InFlight inFlight;
  private final MeterRegistry registry;
  private final long slowNanos;
  private final ConcurrentMap<MeterKey, Served> served = new ConcurrentHashMap<>();

  private RequestTracker(InFlight inFlight, MeterRegistry registry, long slowNanos) {
    this.inFlight = inFlight;
    this.registry = registry;
    this.slowNanos = slowNanos;
  }

  /** {@code debug}: the config's debug section; slow requests are logged only when it is enabled. */
  static RequestTracker create(Vertx vertx, JsonObject debug, MeterRegistry registry) {
    long slowNanos = debug.getBoolean("enabled") ? TimeUnit.MILLISECONDS.toNanos(debug.getLong("slowHandlerMs")) : 0;
    return new RequestTracker(inFlightCounter(vertx, registry), registry, slowNanos);
  }

  /** Requests in flight now, over every HTTP verticle instance of this Vert.x. */
  static long inFlight(Vertx vertx) {
    LocalMap<String, InFlight> map = vertx.sharedData().getLocalMap(MAP);
    InFlight counter = map.get(KEY);
    return counter == null ? 0 : counter.count.sum();
  }

  /** Counts and times the request until it ends. */
  void track(RoutingContext ctx) {
    inFlight.count.increment();
    long start = System.nanoTime();
    ctx.addEndHandler(ar -> {
      long elapsed = System.nanoTime() - start;
      inFlight.count.decrement();
      Route route = ctx.currentRoute();
      served(ctx.request().method(), ar.succeeded() ? ctx.response().getStatusCode() : CLOSED, route).add(elapsed);
      if (slowNanos > 0 && elapsed > slowNanos) {
        LOG.warn("slow request: {} {} took {} ms (debug.slowHandlerMs {})", ctx.request().method(),
            route == null || route.getName() == null ? ctx.normalizedPath() : route.getName(),
            TimeUnit.NANOSECONDS.toMillis(elapsed), TimeUnit.NANOSECONDS.toMillis(slowNanos));
      }
    });
  }

  private Served served(HttpMethod method, int code, Route route) {
    MeterKey key = new MeterKey(method, code, route);
    Served requests = served.get(key);
    return requests != null ? requests : served.computeIfAbsent(key, k -> {
      Served created = new Served();
      FunctionTimer.builder(TIMER, created, s -> s.count.sum(), s -> s.nanos.sum(), TimeUnit.NANOSECONDS)
          .description("HTTP requests served, by method, status code (closed: the connection closed first) and route")
          .tag("method", KNOWN_METHODS.contains(method) ? method.name() : "OTHER")
          .tag("code", code == CLOSED ? "closed" : Integer.toString(code))
          .tag("route", route == null || route.getName() == null ? NO_ROUTE : route.getName())
          .register(registry);
      return created;
    });
  }

  private static InFlight inFlightCounter(Vertx vertx, MeterRegistry registry) {
    LocalMap<String, InFlight> map = vertx.sharedData().getLocalMap(MAP);
    return map.computeIfAbsent(KEY, key -> {
      InFlight counter = new InFlight();
      Gauge.builder("fetchbus.http.server.active.requests", counter.count, LongAdder::sum)
          .description("HTTP requests in flight, over all HTTP verticle instances").register(registry);
      return counter;
    });
  }

  /** Routes are compared by identity: one meter per route object, method and code. */
  private record MeterKey(HttpMethod method, int code, Route route) {
  }

  /** The requests of one label set: how many, and their time. Held by the registry's function timer. */
  private static final class Served {
    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    void add(long elapsedNanos) {
      count.increment();
      nanos.add(elapsedNanos);
    }
  }

  /** One counter per Vert.x instance, shared (not copied) through its local map. */
  private static final class InFlight implements Shareable {
    private final LongAdder count = new LongAdder();
  }
}
