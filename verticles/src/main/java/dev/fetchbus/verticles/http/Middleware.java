package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.auth.ApiTokens;
import dev.fetchbus.verticles.ops.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Every cross-cutting step, in one fixed order before any route (docs/architecture.md, "HTTP middleware"): request
 * tracking, request id, access log, security headers, compression choice, CORS, request timeout, then API-token
 * auth and rate limit on the protected prefixes. The steps are plain calls inside one route handler (two when
 * CORS is configured, since Vert.x's CORS handler is a handler of its own): every extra route is paid on every
 * request, {@code /hello} included. Body limits sit on the routes that read bodies; 404/405 and failures are
 * {@link ProblemResponses}.
 */
final class Middleware {
  /** Path prefixes that need a token when tokens are configured; /hello, /ws/echo, /health, /metrics stay public. */
  private static final String[] PROTECTED = {"/api/", "/ws/jobs/", "/admin/"};

  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence CSP = HttpHeaders.createOptimized("default-src 'none'; frame-ancestors 'none'");
  private static final CharSequence IDENTITY = HttpHeaders.createOptimized("identity");
  private static final CharSequence X_CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence CONTENT_SECURITY_POLICY = HttpHeaders.createOptimized("Content-Security-Policy");
  /**
   * Compressed when the client accepts it: the text we generate and the dashboard's files. Reports, uploads and event
   * streams are not.
   */
  private static final List<String> COMPRESSIBLE = List.of("application/json", "application/problem+json",
      "application/x-ndjson", "text/csv", "application/yaml", "text/plain; version=0.0.4", "text/html", "text/css",
      "text/javascript", "application/javascript");

  private final RequestTracker tracker;
  private final boolean compression;
  private final RequestTimeout timeout;
  private final BearerAuth bearer;
  private final boolean corsFollows;
  private final UploadPacer pacer;

  private Middleware(Vertx vertx, JsonObject config, ApiTokens tokens, boolean corsFollows, UploadPacer pacer) {
    JsonObject http = config.getJsonObject("http");
    JsonObject log = http.getJsonObject("accessLog");
    JsonObject auth = config.getJsonObject("auth");
    this.tracker = RequestTracker.create(vertx, config.getJsonObject("debug"), Metrics.registryOrNowhere(),
        log.getBoolean("enabled") ? new AccessLog(log.getJsonArray("exclude")) : null);
    this.compression = http.getJsonObject("compression").getBoolean("enabled");
    this.timeout = new RequestTimeout(http.getLong("requestTimeoutMs"), http.getJsonArray("requestTimeoutExempt"));
    this.bearer = new BearerAuth(vertx, tokens, auth.getJsonObject("rateLimit"));
    this.corsFollows = corsFollows;
    this.pacer = pacer;
  }

  /** {@code tokens}: the configured API tokens, hashed once by the verticle. */
  static void mount(Vertx vertx, Router router, JsonObject config, ApiTokens tokens, UploadPacer pacer) {
    CorsHandler cors = cors(config.getJsonObject("http").getJsonObject("cors"));
    Middleware middleware = new Middleware(vertx, config, tokens, cors != null, pacer);
    router.route().handler(middleware::beforeCors);
    if (cors != null) {
      router.route().handler(cors);
      router.route().handler(middleware::afterCors);
    }
  }

  private void beforeCors(RoutingContext ctx) {
    String path = ctx.request().path();
    // Tracking first, so requests refused further on are counted, timed and logged too.
    tracker.track(ctx, path);
    pacer.request();
    RequestId.assign(ctx);
    ctx.response().headers().add(X_CONTENT_TYPE_OPTIONS, NOSNIFF).add(CONTENT_SECURITY_POLICY, CSP);
    if (compression) {
      compressOnlyText(ctx);
    }
    if (!targetDecodes(ctx)) {
      // Answered here, not failed: failing would match routes again, and matching a route decodes the path (and,
      // for a route with path parameters, the query), which throws past every handler.
      ProblemResponses.send(ctx, Problem.of(400, "bad-request", "Bad request",
          "the request path or query string is not valid percent-encoding"));
      return;
    }
    if (corsFollows) {
      ctx.next();
    } else {
      afterCors(ctx);
    }
  }

  private void afterCors(RoutingContext ctx) {
    String path = ctx.request().path();
    timeout.start(ctx, path);
    if (isProtected(path) && !bearer.admit(ctx)) {
      return;
    }
    ctx.next();
  }

  private static boolean targetDecodes(RoutingContext ctx) {
    try {
      ctx.normalizedPath();
      if (ctx.request().query() != null) {
        ctx.request().params(); // decoded once, and kept for the routes
      }
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static boolean isProtected(String path) {
    for (String prefix : PROTECTED) {
      if (path.startsWith(prefix) || path.length() == prefix.length() - 1 && prefix.startsWith(path)) {
        return true;
      }
    }
    return false;
  }

  static String[] prefixes(JsonArray configured) {
    return configured == null ? new String[0] : configured.stream().map(String::valueOf).toArray(String[]::new);
  }

  static boolean startsWithAny(String path, String[] prefixes) {
    for (String prefix : prefixes) {
      if (path.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The server compresses whatever the client accepts; this marks everything but our own text formats
   * {@code Content-Encoding: identity}, which Vert.x takes as "leave alone" and removes before sending.
   */
  private static void compressOnlyText(RoutingContext ctx) {
    if (ctx.request().headers().contains(HttpHeaders.ACCEPT_ENCODING)) {
      HttpServerResponse response = ctx.response();
      ctx.addHeadersEndHandler(v -> {
        String type = response.headers().get(HttpHeaders.CONTENT_TYPE);
        if (!response.headers().contains(HttpHeaders.CONTENT_ENCODING) && !compressible(type)) {
          response.putHeader(HttpHeaders.CONTENT_ENCODING, IDENTITY);
        }
      });
    }
  }

  static boolean compressible(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    return COMPRESSIBLE.stream().anyMatch(type::startsWith);
  }

  /** Null when no origin is configured: then no CORS handler is mounted at all. */
  private static CorsHandler cors(JsonObject cors) {
    List<String> origins = cors.getJsonArray("allowedOrigins").stream().map(String::valueOf).toList();
    if (origins.isEmpty()) {
      return null;
    }
    return CorsHandler.create()
        .addOrigins(origins)
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
        .allowedHeaders(Set.of("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"))
        .exposedHeaders(Set.of("X-Request-Id", "Location", "Retry-After"))
        .maxAgeSeconds(cors.getInteger("maxAgeSeconds"));
  }
}
