package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.auth.ApiTokens;
import dev.fetchbus.verticles.auth.TokenBucket;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code Authorization: Bearer <token>} on the protected routes when API tokens are configured: 401 without a token,
 * 403 with one that is not configured; then a token bucket per token (shared by all HTTP instances), 429 with
 * {@code Retry-After} when it is empty.
 */
final class BearerAuth {
  private static final String SCHEME = "Bearer ";
  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");

  private final ApiTokens tokens;
  private final LocalMap<Integer, TokenBucket> buckets;
  private final double capacity;
  private final double refillPerSecond;

  BearerAuth(Vertx vertx, ApiTokens tokens, JsonObject rateLimit) {
    this.tokens = tokens;
    this.buckets = vertx.sharedData().getLocalMap("fetchbus.http.rate-limit");
    this.capacity = rateLimit.getDouble("capacity");
    this.refillPerSecond = rateLimit.getDouble("refillPerSecond");
  }

  /** True when the request may go on; otherwise the request has been failed with the problem to answer. */
  boolean admit(RoutingContext ctx) {
    if (!tokens.required()) {
      return true;
    }
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      ctx.response().putHeader(WWW_AUTHENTICATE, "Bearer realm=\"fetchbus\"");
      ctx.fail(new Problem.Refused(Problem.of(401, "unauthorized", "Unauthorized",
          "send Authorization: Bearer <token>")));
      return false;
    }
    int token = tokens.match(header.substring(SCHEME.length()).trim());
    if (token < 0) {
      ctx.response().putHeader(WWW_AUTHENTICATE, "Bearer realm=\"fetchbus\", error=\"invalid_token\"");
      ctx.fail(new Problem.Refused(Problem.of(403, "forbidden", "Forbidden", "the token is not valid")));
      return false;
    }
    long now = System.nanoTime();
    long waitMs = buckets.computeIfAbsent(token, t -> new TokenBucket(capacity, refillPerSecond, now)).take(now);
    if (waitMs > 0) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString((waitMs + 999) / 1000));
      ctx.fail(new Problem.Refused(Problem.of(429, "rate-limited", "Too many requests",
          "this token's request rate is over the limit; retry after the Retry-After delay")));
      return false;
    }
    return true;
  }
}
