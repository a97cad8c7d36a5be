package dev.fetchbus.verticles.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AuthTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void tokensMatchByHashAndBlankOnesAreIgnored() {
    ApiTokens tokens = ApiTokens.of(new JsonArray().add("alpha").add(" ").add("beta"));
    assertThat(tokens.required()).isTrue();
    assertThat(tokens.match("alpha")).isEqualTo(0);
    assertThat(tokens.match("beta")).isEqualTo(1);
    assertThat(tokens.match("alph")).isEqualTo(-1);
    assertThat(tokens.match("")).isEqualTo(-1);
    assertThat(tokens.match(null)).isEqualTo(-1);
    assertThat(ApiTokens.of(new JsonArray()).required()).isFalse();
    assertThat(ApiTokens.of(null).required()).isFalse();
  }

  @Test
  void theBucketGrantsItsCapacityThenSaysHowLongToWait() {
    TokenBucket bucket = new TokenBucket(2, 4, 0);
    assertThat(bucket.take(0)).isZero();
    assertThat(bucket.take(0)).isZero();
    assertThat(bucket.take(0)).isEqualTo(250);
    assertThat(bucket.take(SECOND / 8)).isEqualTo(125);
    assertThat(bucket.take(SECOND / 4)).isZero();
    // Refill never goes over the capacity.
    assertThat(bucket.take(100 * SECOND)).isZero();
    assertThat(bucket.take(100 * SECOND)).isZero();
    assertThat(bucket.take(100 * SECOND)).isPositive();
  }

  @Test
  void onlyLoopbackMayRunWithoutTokens() {
    ApiTokens none = ApiTokens.of(new JsonArray());
    for (String host : new String[] {"127.0.0.1", "127.8.9.10", "::1", "localhost", "0:0:0:0:0:0:0:1"}) {
      assertThatCode(() -> PublicBind.check(host, none)).doesNotThrowAnyException();
    }
    for (String host : new String[] {"0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "example.org", "::ffff:10.0.0.1"}) {
      assertThatThrownBy(() -> PublicBind.check(host, none)).hasMessageContaining("FETCHBUS_API_TOKENS");
    }
    assertThatCode(() -> PublicBind.check("0.0.0.0", ApiTokens.of(new JsonArray().add("t"))))
        .doesNotThrowAnyException();
  }
}
