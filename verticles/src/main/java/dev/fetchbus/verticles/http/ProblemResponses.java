package dev.fetchbus.verticles.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error leaves as application/problem+json: route failures, unknown routes and methods, oversize bodies, and
 * requests the server cannot read at all.
 */
final class ProblemResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemResponses.class);
  /** What a 503 asks clients to wait: about how long a database restart or reconnect takes. */
  private static final String RETRY_AFTER_SECONDS = "2";

  private ProblemResponses() {
  }

  /** Mounted after every other route. */
  static void mount(Router router) {
    Handler<RoutingContext> failure = ctx -> send(ctx, problemOf(ctx));
    // On each route as well as at the end: after a failure vertx-web searches again from the first route for one
    // with a failure handler, and ending on the request's own route keeps its template for the request meters.
    router.getRoutes().stream().filter(route -> route.getName() != null)
        .forEach(route -> route.failureHandler(failure));
    router.route().failureHandler(failure);
    router.errorHandler(404, ctx -> send(ctx, Problem.of(404, "not-found", "Not found",
        "no route for " + ctx.request().path())));
    router.errorHandler(405, ctx -> send(ctx, Problem.of(405, "method-not-allowed", "Method not allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path())));
  }

  /**
   * The server's invalid-request handler: a request that could not be decoded (bad syntax, a request line or headers
   * over the server's limits) never reaches the router. It is answered with a problem, and the connection is closed,
   * since nothing after such a request can be trusted to start a new one.
   */
  static void unreadable(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem = cause instanceof TooLongHttpLineException
        ? Problem.of(414, "uri-too-long", "Request line too long", "the request line is over the server's limit")
        : cause instanceof TooLongHttpHeaderException
        ? Problem.of(431, "headers-too-large", "Request headers too large", "the request headers are over the server's limit")
        : Problem.of(400, "bad-request", "Bad request", "the request could not be read");
    request.response().setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.CONTENT_TYPE)
        .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
        .end(problem.toJson(instance(request)).encode())
        .onComplete(v -> request.connection().close());
  }

  /** The path of a request that may not have a readable one. */
  private static String instance(HttpServerRequest request) {
    try {
      return request.path() == null ? "" : request.path();
    } catch (RuntimeException unreadable) {
      return "";
    }
  }

  static void send(RoutingContext ctx, Problem problem) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // The status is gone already (a stream broke mid-way): cutting the connection is the only honest signal.
      response.reset();
      return;
    }
    if (problem.status() == 503) {
      response.putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
    response.setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.CONTENT_TYPE)
        .end(problem.toJson(ctx.request().path()).encode());
  }

  private static Problem problemOf(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (ctx.failure() != null) {
      Problem problem = Problem.from(ctx.failure());
      if (problem.status() == 500 && status >= 400 && status < 500) {
        // Vert.x's router refusing a request itself (an HTTP/1.1 request without Host, an empty path): its 4xx stands.
        problem = ofStatus(status, ctx.failure().getMessage());
      }
      if (problem.status() == 503 || problem.status() == 507) {
        LOG.warn("{} {}: {}", ctx.request().method(), ctx.request().path(), ctx.failure().getMessage());
      } else if (problem.status() >= 500) {
        LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      }
      return problem;
    }
    return ofStatus(status, null);
  }

  private static Problem ofStatus(int status, String detail) {
    return switch (status) {
      case 413 -> Problem.of(413, "body-too-large", "Request body too large", "the request body is over the limit");
      case 400 -> Problem.of(400, "bad-request", "Bad request", detail == null ? "the request could not be read" : detail);
      case 404 -> Problem.of(404, "not-found", "Not found", "no such resource");
      default -> Problem.of(500, "internal", "Internal error", "an unexpected error occurred");
    };
  }
}
