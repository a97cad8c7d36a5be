package dev.fetchbus.verticles.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CallbackSenderTest {

  @ParameterizedTest
  @ValueSource(ints = {200, 201, 202, 204, 299})
  void a2xxIsADelivery(int status) {
    assertThat(CallbackSender.verdict(status).succeeded()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 429, 500, 502, 503, 504})
  void aStatusThatMayPassIsRetried(int status) {
    Future<Void> verdict = CallbackSender.verdict(status);
    assertThat(verdict.failed()).isTrue();
    assertThat(verdict.cause()).isNotInstanceOf(OutboxPoller.PermanentFailure.class)
        .hasMessage("callback answered " + status);
  }

  @ParameterizedTest
  @ValueSource(ints = {300, 301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 410, 413, 422})
  void aRedirectOrAnotherClientErrorIsGivenUp(int status) {
    Future<Void> verdict = CallbackSender.verdict(status);
    assertThat(verdict.failed()).isTrue();
    assertThat(verdict.cause()).isInstanceOf(OutboxPoller.PermanentFailure.class)
        .hasMessageStartingWith("callback answered " + status);
  }
}
