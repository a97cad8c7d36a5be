package dev.fetchbus.verticles.http;

import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Answers 503 problem+json when a request has no response headers after {@code http.requestTimeoutMs}. It bounds the
 * time to the first byte, not the whole exchange: a result stream or an event stream that has begun is not cut.
 * Routes whose request body may rightly take long to arrive (uploads) and WebSocket upgrades are exempt by prefix.
 */
final class RequestTimeout {
  private final long timeoutMs;
  private final List<String> exemptPrefixes;

  RequestTimeout(long timeoutMs, JsonArray exempt) {
    this.timeoutMs = timeoutMs;
    this.exemptPrefixes = exempt == null ? List.of() : exempt.stream().map(String::valueOf).toList();
  }

  void handle(RoutingContext ctx) {
    String path = ctx.request().path();
    if (timeoutMs <= 0 || exemptPrefixes.stream().anyMatch(path::startsWith)) {
      ctx.next();
      return;
    }
    long timer = ctx.vertx().setTimer(timeoutMs, t -> {
      if (!ctx.response().headWritten() && !ctx.response().closed()) {
        ctx.fail(new Problem.InvalidRequest(Problem.of(503, "request-timeout", "Request timed out",
            "no response within " + timeoutMs + " ms")));
      }
    });
    ctx.addHeadersEndHandler(v -> ctx.vertx().cancelTimer(timer));
    ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
    ctx.next();
  }
}
