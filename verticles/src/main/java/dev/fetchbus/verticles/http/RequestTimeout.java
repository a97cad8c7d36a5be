package dev.fetchbus.verticles.http;

import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers 503 problem+json when a request has no response headers after {@code http.requestTimeoutMs}. It bounds the
 * time to the first byte, not the whole exchange: a result stream or an event stream that has begun is not cut.
 * Routes whose request body may rightly take long to arrive (uploads), WebSocket upgrades, and /hello (its delay is
 * bounded by {@code http.maxDelayMs}, and it is the load-test path) are exempt by prefix.
 */
final class RequestTimeout {
  private final long timeoutMs;
  private final String[] exemptPrefixes;

  RequestTimeout(long timeoutMs, JsonArray exempt) {
    this.timeoutMs = timeoutMs;
    this.exemptPrefixes = Middleware.prefixes(exempt);
  }

  /** Starts the request's timer, unless its path is exempt. */
  void start(RoutingContext ctx, String path) {
    if (timeoutMs <= 0 || Middleware.startsWithAny(path, exemptPrefixes)) {
      return;
    }
    long timer = ctx.vertx().setTimer(timeoutMs, t -> {
      if (!ctx.response().headWritten() && !ctx.response().closed()) {
        ctx.fail(new Problem.Refused(Problem.of(503, "request-timeout", "Request timed out",
            "no response within " + timeoutMs + " ms")));
      }
    });
    ctx.addHeadersEndHandler(v -> ctx.vertx().cancelTimer(timer));
    ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
  }
}
