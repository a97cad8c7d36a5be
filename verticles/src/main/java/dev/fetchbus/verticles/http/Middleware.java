package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.auth.ApiTokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Every cross-cutting handler, mounted in one fixed order before any route (docs/architecture.md, "Middleware"):
 * request id, access log, security headers, compression choice, CORS, request timeout, then API-token auth and
 * rate limit on the protected prefixes. Body limits sit on the routes that read bodies; 404/405 and failures are
 * {@link ProblemResponses}.
 */
final class Middleware {
  /** Path prefixes that need a token when tokens are configured; /hello, /ws/echo, /health, /metrics stay public. */
  static final List<String> PROTECTED = List.of("/api/", "/ws/jobs/", "/admin/");

  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");
  private static final CharSequence CSP = HttpHeaders.createOptimized("default-src 'none'; frame-ancestors 'none'");
  private static final CharSequence IDENTITY = HttpHeaders.createOptimized("identity");
  private static final CharSequence X_CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence X_FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence CONTENT_SECURITY_POLICY = HttpHeaders.createOptimized("Content-Security-Policy");
  /** Compressed when the client accepts it: the text we generate. Files (reports, uploads) and event streams are not. */
  private static final List<String> COMPRESSIBLE = List.of("application/json", "application/problem+json",
      "application/x-ndjson", "text/csv", "application/yaml", "text/plain; version=0.0.4");

  private Middleware() {
  }

  static void mount(Vertx vertx, Router router, JsonObject config) {
    JsonObject http = config.getJsonObject("http");
    JsonObject accessLog = http.getJsonObject("accessLog");
    JsonObject auth = config.getJsonObject("auth");
    router.route().handler(RequestId::handle);
    if (accessLog.getBoolean("enabled")) {
      router.route().handler(new AccessLog(accessLog.getJsonArray("exclude"))::handle);
    }
    router.route().handler(Middleware::securityHeaders);
    if (http.getJsonObject("compression").getBoolean("enabled")) {
      router.route().handler(Middleware::compressOnlyText);
    }
    cors(http.getJsonObject("cors")).ifPresent(cors -> router.route().handler(cors));
    router.route().handler(new RequestTimeout(http.getLong("requestTimeoutMs"),
        http.getJsonArray("requestTimeoutExempt"))::handle);
    BearerAuth bearer = new BearerAuth(vertx, ApiTokens.of(auth.getJsonArray("tokens")),
        auth.getJsonObject("rateLimit"));
    // Path-less routes with a prefix test, not router.route("/api/*"): a route with a path would show in the route
    // label of the HTTP metrics ("/api/>/api/jobs/:id").
    router.route().handler(ctx -> {
      if (isProtected(ctx.request().path())) {
        bearer.handle(ctx);
      } else {
        ctx.next();
      }
    });
  }

  static boolean isProtected(String path) {
    return PROTECTED.stream()
        .anyMatch(prefix -> path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1)));
  }

  private static void securityHeaders(RoutingContext ctx) {
    ctx.response().headers()
        .add(X_CONTENT_TYPE_OPTIONS, NOSNIFF)
        .add(X_FRAME_OPTIONS, DENY)
        .add(REFERRER_POLICY, NO_REFERRER)
        .add(CONTENT_SECURITY_POLICY, CSP);
    ctx.next();
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
    ctx.next();
  }

  static boolean compressible(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    return COMPRESSIBLE.stream().anyMatch(type::startsWith);
  }

  private static Optional<CorsHandler> cors(JsonObject cors) {
    List<String> origins = cors.getJsonArray("allowedOrigins").stream().map(String::valueOf).toList();
    if (origins.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(CorsHandler.create()
        .addOrigins(origins)
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
        .allowedHeaders(Set.of("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"))
        .exposedHeaders(Set.of("X-Request-Id", "Location", "Retry-After"))
        .maxAgeSeconds(cors.getInteger("maxAgeSeconds")));
  }
}
