package dev.fetchbus.verticles.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request when its response ends (or its connection closes first), on logger {@code fetchbus.access}
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

  /** Writes the request's line when it ends, unless its path is excluded. */
  void track(RoutingContext ctx, String path) {
    if (!LOG.isInfoEnabled() || Middleware.startsWithAny(path, excludedPrefixes)) {
      return;
    }
    HttpServerRequest request = ctx.request();
    long started = System.nanoTime();
    ctx.addEndHandler(ended -> {
      long micros = (System.nanoTime() - started) / 1_000;
      int status = ctx.response().getStatusCode();
      LOG.atInfo()
          .addKeyValue("method", request.method().name())
          .addKeyValue("path", path)
          .addKeyValue("status", status)
          .addKeyValue("bytes", ctx.response().bytesWritten())
          .addKeyValue("durationMs", micros / 1000.0)
          .addKeyValue("remote", String.valueOf(request.remoteAddress()))
          .addKeyValue("userAgent", request.getHeader(HttpHeaders.USER_AGENT))
          .addKeyValue("completed", ended.succeeded())
          .log("{} {} {} {}B {}ms{}", request.method(), path, status, ctx.response().bytesWritten(),
              micros / 1000.0, ended.succeeded() ? "" : " (connection closed before the response ended)");
    });
  }
}
