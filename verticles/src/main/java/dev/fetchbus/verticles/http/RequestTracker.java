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
 * costs one lookup in this instance's map (by route object, method and code) and two {@link LongAdder} increments,
 * read as a Prometheus count and sum at scrape time (a {@link FunctionTimer}: no maximum, no histogram). The adders
 * of a label set are shared by all HTTP verticle instances (each has its own router, so its own route objects): the
 * registry keeps the first meter registered under a name and tags, so a second instance's own adders would go
 * unseen.
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

  private final Shared shared;
  private final MeterRegistry registry;
  private final long slowNanos;
  /** This instance's cache of {@link Shared#served}, keyed by its own route objects. */
  private final ConcurrentMap<MeterKey, Served> served = new ConcurrentHashMap<>();

  private RequestTracker(Shared shared, MeterRegistry registry, long slowNanos) {
    this.shared = shared;
    this.registry = registry;
    this.slowNanos = slowNanos;
  }

  /** {@code debug}: the config's debug section; slow requests are logged only when it is enabled. */
  static RequestTracker create(Vertx vertx, JsonObject debug, MeterRegistry registry) {
    long slowNanos = debug.getBoolean("enabled") ? TimeUnit.MILLISECONDS.toNanos(debug.getLong("slowHandlerMs")) : 0;
    return new RequestTracker(shared(vertx, registry), registry, slowNanos);
  }

  /** Requests in flight now, over every HTTP verticle instance of this Vert.x. */
  static long inFlight(Vertx vertx) {
    LocalMap<String, Shared> map = vertx.sharedData().getLocalMap(MAP);
    Shared shared = map.get(KEY);
    return shared == null ? 0 : shared.inFlight.sum();
  }

  /** Counts and times the request until it ends. */
  void track(RoutingContext ctx) {
    shared.inFlight.increment();
    long start = System.nanoTime();
    ctx.addEndHandler(ar -> {
      long elapsed = System.nanoTime() - start;
      shared.inFlight.decrement();
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
    // Extension methods share one key (null), or each new one would add an entry for good.
    HttpMethod known = KNOWN_METHODS.contains(method) ? method : null;
    MeterKey key = new MeterKey(known, code, route);
    Served requests = served.get(key);
    return requests != null ? requests : served.computeIfAbsent(key, k -> shared.served.computeIfAbsent(new Labels(
        known == null ? "OTHER" : known.name(),
        code == CLOSED ? "closed" : Integer.toString(code),
        route == null || route.getName() == null ? NO_ROUTE : route.getName()), this::register));
  }

  private Served register(Labels labels) {
    Served created = new Served();
    FunctionTimer.builder(TIMER, created, s -> s.count.sum(), s -> s.nanos.sum(), TimeUnit.NANOSECONDS)
        .description("HTTP requests served, by method, status code (closed: the connection closed first) and route")
        .tags("method", labels.method, "code", labels.code, "route", labels.route)
        .register(registry);
    return created;
  }

  private static Shared shared(Vertx vertx, MeterRegistry registry) {
    LocalMap<String, Shared> map = vertx.sharedData().getLocalMap(MAP);
    return map.computeIfAbsent(KEY, key -> {
      Shared shared = new Shared();
      Gauge.builder("fetchbus.http.server.active.requests", shared.inFlight, LongAdder::sum)
          .description("HTTP requests in flight, over all HTTP verticle instances").register(registry);
      return shared;
    });
  }

  /** Routes are compared by identity; method null stands for any extension method. */
  private record MeterKey(HttpMethod method, int code, Route route) {
  }

  private record Labels(String method, String code, String route) {
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

  /** One per Vert.x instance, shared (not copied) by its HTTP verticle instances through its local map. */
  private static final class Shared implements Shareable {
    private final LongAdder inFlight = new LongAdder();
    private final ConcurrentMap<Labels, Served> served = new ConcurrentHashMap<>();
  }
}
