package dev.fetchbus.verticles.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MiddlewareRulesTest {
  @Test
  void requestIdsFromClientsMustBeSaneTokens() {
    assertThat(RequestId.acceptable("abc-123")).isTrue();
    assertThat(RequestId.acceptable("a.b:c_d")).isTrue();
    assertThat(RequestId.acceptable("x".repeat(128))).isTrue();
    assertThat(RequestId.acceptable("x".repeat(129))).isFalse();
    assertThat(RequestId.acceptable("")).isFalse();
    assertThat(RequestId.acceptable(null)).isFalse();
    assertThat(RequestId.acceptable("a b")).isFalse();
    assertThat(RequestId.acceptable("a\r\nSet-Cookie: x")).isFalse();
    assertThat(RequestId.acceptable("caf\u00e9")).isFalse();
  }

  @Test
  void theApiTheJobSocketsAndAdminAreProtected() {
    assertThat(Middleware.isProtected("/api/jobs")).isTrue();
    assertThat(Middleware.isProtected("/api")).isTrue();
    assertThat(Middleware.isProtected("/ws/jobs/abc")).isTrue();
    assertThat(Middleware.isProtected("/admin/monitor")).isTrue();
    assertThat(Middleware.isProtected("/apiary")).isFalse();
    assertThat(Middleware.isProtected("/ws/echo")).isFalse();
    assertThat(Middleware.isProtected("/hello")).isFalse();
    assertThat(Middleware.isProtected("/metrics")).isFalse();
    assertThat(Middleware.isProtected("/health/ready")).isFalse();
  }

  @Test
  void onlyOurTextFormatsAreCompressed() {
    assertThat(Middleware.compressible("application/json")).isTrue();
    assertThat(Middleware.compressible("application/problem+json")).isTrue();
    assertThat(Middleware.compressible("application/x-ndjson")).isTrue();
    assertThat(Middleware.compressible("text/csv; charset=utf-8")).isTrue();
    assertThat(Middleware.compressible("Application/JSON")).isTrue();
    assertThat(Middleware.compressible("application/gzip")).isFalse();
    assertThat(Middleware.compressible("text/event-stream")).isFalse();
    assertThat(Middleware.compressible("text/plain; charset=utf-8")).isFalse();
    assertThat(Middleware.compressible(null)).isFalse();
  }
}
