package dev.fetchbus.verticles.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request when its response ends (or its connection closes first, or it becomes a WebSocket), on
 * logger {@code fetchbus.access}
 * with key-value pairs that the JSON log format turns into fields. Paths under {@code http.accessLog.exclude}
 * (the load-test and probe routes by default) are not logged: at 100,000 requests a second the log would be the
 * bottleneck.
 */
final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("fetchbus.access");

  private final String[] excludedPrefixes;

  AccessLog(JsonArray exclude) {
    this.excludedPrefixes = Middleware.prefixes(exclude);
  }

  /** Whether a request to this path gets a line (the path is not excluded, and the logger is on). */
  boolean wants(String path) {
    return LOG.isInfoEnabled() && !Middleware.startsWithAny(path, excludedPrefixes);
  }

  /**
   * The line of a request that has ended, written by {@link RequestTracker}, which times every request anyway.
   * {@code status}: the response's, or the one it had when its connection closed first ({@code completed} false).
   */
  void log(RoutingContext ctx, String path, int status, boolean completed, long elapsedNanos) {
    HttpServerRequest request = ctx.request();
    double millis = elapsedNanos / 1_000 / 1000.0;
    LOG.atInfo()
        .addKeyValue("method", request.method().name())
        .addKeyValue("path", path)
        .addKeyValue("status", status)
        .addKeyValue("bytes", ctx.response().bytesWritten())
        .addKeyValue("durationMs", millis)
        .addKeyValue("remote", String.valueOf(request.remoteAddress()))
        .addKeyValue("userAgent", request.getHeader(HttpHeaders.USER_AGENT))
        .addKeyValue("completed", completed)
        .log("{} {} {} {}B {}ms{}", request.method(), path, status, ctx.response().bytesWritten(), millis,
            completed ? "" : " (connection closed before the response ended)");
  }
}
