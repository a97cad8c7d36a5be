package dev.fetchbus.verticles.http;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
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
 * or its connection closes (code {@code closed}), or when it becomes a WebSocket (code 101, {@link #upgraded}): Vert.x
 * hands an upgraded connection over without ending the response, so no end handler would ever run for it.
 *
 * <p>These are Fetchbus's meters, not vertx-micrometer's HTTP server meters (turned off in {@code ops/Metrics}): those
 * look their meters up by tags on every request and cost a tenth to a fifth of a small request's CPU. Here a request
 * costs a lookup in this instance's map (by route object, method and code) and a few {@link LongAdder} adds, read as
 * a Prometheus count and sum at scrape time (a {@link FunctionTimer}: no maximum, no histogram). The adders
 * of a label set are shared by all HTTP verticle instances (each has its own router, so its own route objects): the
 * registry keeps the first meter registered under a name and tags, so a second instance's own adders would go
 * unseen.
 */
final class RequestTracker {
  private static final Logger LOG = LoggerFactory.getLogger(RequestTracker.class);
  private static final String MAP = "fetchbus.monitor";
  private static final String KEY = "httpInFlight";
  private static final String TIMER = "fetchbus.http.server.requests";
  /** Other methods (HTTP allows extension methods) are labelled OTHER, so a client cannot add series at will. */
  private static final Set<HttpMethod> KNOWN_METHODS = Set.copyOf(HttpMethod.values());
  /** The label of requests that ended before any route matched (refused by the middleware, 404, 405). */
  private static final String NO_ROUTE = "none";
  private static final int CLOSED = 0;
  private static final int SWITCHING_PROTOCOLS = 101;
  /** Where an upgrade request keeps its {@link Tracked}, for {@link #upgraded}. */
  private static final String TRACKED = "fetchbus.tracked";

  private final Shared shared;
  private final MeterRegistry registry;
  private final long slowNanos;
  /** Null when the access log is off. */
  private final AccessLog accessLog;
  /** This instance's cache of {@link Shared#served}, keyed by its own route objects. */
  private final ConcurrentMap<MeterKey, Served> served = new ConcurrentHashMap<>();

  private RequestTracker(Shared shared, MeterRegistry registry, long slowNanos, AccessLog accessLog) {
    this.shared = shared;
    this.registry = registry;
    this.slowNanos = slowNanos;
    this.accessLog = accessLog;
  }

  /**
   * {@code debug}: the config's debug section; slow requests are logged only when it is enabled. {@code accessLog}:
   * where ended requests get their line, or null.
   */
  static RequestTracker create(Vertx vertx, JsonObject debug, MeterRegistry registry, AccessLog accessLog) {
    long slowNanos = debug.getBoolean("enabled") ? TimeUnit.MILLISECONDS.toNanos(debug.getLong("slowHandlerMs")) : 0;
    return new RequestTracker(shared(vertx, registry), registry, slowNanos, accessLog);
  }

  /** Requests in flight now, over every HTTP verticle instance of this Vert.x. */
  static long inFlight(Vertx vertx) {
    LocalMap<String, Shared> map = vertx.sharedData().getLocalMap(MAP);
    Shared shared = map.get(KEY);
    return shared == null ? 0 : shared.inFlight.sum();
  }

  /** Counts and times the request until it ends, and then writes its access-log line (unless its path is excluded). */
  void track(RoutingContext ctx, String path) {
    shared.inFlight.increment();
    Tracked tracked = new Tracked(ctx, accessLog != null && accessLog.wants(path) ? path : null, System.nanoTime());
    ctx.addEndHandler(tracked);
    // Only upgrade requests keep a handle: the context's data map would cost every request an allocation.
    if (ctx.request().headers().contains(HttpHeaders.UPGRADE)) {
      ctx.put(TRACKED, tracked);
    }
  }

  /** The request has become a WebSocket: it ends here, with 101, as far as tracking goes. */
  static void upgraded(RoutingContext ctx) {
    Tracked tracked = ctx.get(TRACKED);
    if (tracked != null) {
      tracked.end(SWITCHING_PROTOCOLS);
    }
  }

  /** One request's tracking; it ends once, whichever comes first (the response's end or an upgrade). */
  private final class Tracked implements Handler<AsyncResult<Void>> {
    private final RoutingContext ctx;
    /** The path for the access log; null when the request gets no line. */
    private final String loggedPath;
    private final long start;
    private boolean ended;

    Tracked(RoutingContext ctx, String loggedPath, long start) {
      this.ctx = ctx;
      this.loggedPath = loggedPath;
      this.start = start;
    }

    @Override
    public void handle(AsyncResult<Void> result) {
      end(result.succeeded() ? ctx.response().getStatusCode() : CLOSED);
    }

    /** Runs on the request's event loop, like the end handler: no other thread sees {@code ended}. */
    void end(int code) {
      if (ended) {
        return;
      }
      ended = true;
      long elapsed = System.nanoTime() - start;
      Route route = ctx.currentRoute();
      // Recorded before the count drops, so whoever sees the count fall also sees the request counted.
      served(ctx.request().method(), code, route).add(elapsed);
      shared.inFlight.decrement();
      if (loggedPath != null) {
        accessLog.log(ctx, loggedPath, code == CLOSED ? ctx.response().getStatusCode() : code, code != CLOSED, elapsed);
      }
      if (slowNanos > 0 && elapsed > slowNanos) {
        LOG.warn("slow request: {} {} took {} ms (debug.slowHandlerMs {})", ctx.request().method(),
            route == null || route.getName() == null ? ctx.normalizedPath() : route.getName(),
            TimeUnit.NANOSECONDS.toMillis(elapsed), TimeUnit.NANOSECONDS.toMillis(slowNanos));
      }
    }
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
