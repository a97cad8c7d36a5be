package dev.fetchbus.verticles.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/** {@code GET /openapi.yaml}: the HTTP contract, as the jar carries it. */
final class OpenApiRoutes {
  private static final CharSequence YAML = HttpHeaders.createOptimized("application/yaml");

  private final Buffer document;

  OpenApiRoutes(Buffer document) {
    this.document = document;
  }

  void mount(Router router) {
    // A written buffer is consumed: each response gets its own copy.
    router.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, YAML)
        .end(document.copy()));
  }
}
