package dev.fetchbus.verticles.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.Outcome;
import io.vertx.core.VertxException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class OutcomeClassifierTest {
  @Test
  void statusesSplitAt2xx() {
    assertThat(OutcomeClassifier.ofStatus(200)).isEqualTo(Outcome.OK);
    assertThat(OutcomeClassifier.ofStatus(204)).isEqualTo(Outcome.OK);
    assertThat(OutcomeClassifier.ofStatus(304)).isEqualTo(Outcome.HTTP_ERROR);
    assertThat(OutcomeClassifier.ofStatus(404)).isEqualTo(Outcome.HTTP_ERROR);
    assertThat(OutcomeClassifier.ofStatus(503)).isEqualTo(Outcome.HTTP_ERROR);
  }

  @Test
  void failuresAreClassifiedThroughTheirCauses() {
    assertThat(OutcomeClassifier.ofFailure(new TimeoutException())).isEqualTo(Outcome.TIMEOUT_CONNECT);
    assertThat(OutcomeClassifier.ofFailure(new VertxException(new UnknownHostException("x")))).isEqualTo(Outcome.DNS_ERROR);
    assertThat(OutcomeClassifier.ofFailure(new SSLHandshakeException("bad cert"))).isEqualTo(Outcome.TLS_ERROR);
    assertThat(OutcomeClassifier.ofFailure(new ConnectException("refused"))).isEqualTo(Outcome.CONNECTION_ERROR);
    assertThat(OutcomeClassifier.ofFailure(new VertxException("Connection was closed"))).isEqualTo(Outcome.CONNECTION_ERROR);
  }
}
