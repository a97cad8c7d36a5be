package dev.fetchbus.verticles.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /hello[/{name}][?delay=100ms]}: the load-test route, kept as cheap as the bare server's. */
final class HelloRoutes {
  private static final CharSequence TEXT_PLAIN = HttpHeaders.createOptimized("text/plain; charset=utf-8");

  private final Vertx vertx;
  private final HttpDate date;
  private final long maxDelayMs;

  HelloRoutes(Vertx vertx, HttpDate date, long maxDelayMs) {
    this.vertx = vertx;
    this.date = date;
    this.maxDelayMs = maxDelayMs;
  }

  void mount(Router router) {
    router.get("/hello").handler(ctx -> hello(ctx, "Anonymous"));
    router.get("/hello/:name").handler(ctx -> hello(ctx, ctx.pathParam("name")));
  }

  private void hello(RoutingContext ctx, String name) {
    // Most requests have no query string: skip building the parameter map for them.
    String delay = ctx.request().query() == null ? null : ctx.request().getParam("delay");
    long delayMs = Delay.parseMillis(delay, maxDelayMs);
    if (delayMs == 0) {
      send(ctx.response(), name);
    } else {
      vertx.setTimer(delayMs, id -> send(ctx.response(), name));
    }
  }

  private void send(HttpServerResponse response, String name) {
    if (response.closed()) {
      return;
    }
    // add, not putHeader: neither header is there yet, and putHeader takes the connection's lock and removes first.
    response.headers().add(HttpHeaders.CONTENT_TYPE, TEXT_PLAIN).add(HttpHeaders.DATE, date.now());
    response.end("Hello, " + name);
  }
}
