package dev.fetchbus.verticles.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.auth.ApiTokens;
import dev.fetchbus.verticles.bus.Contracts;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.http.api.JobsApi;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class BridgeGuardTest {
  @Test
  void theTokenIsTakenFromTheHeaderOrTheBodyAndLeftInNeither() {
    JsonObject frame = new JsonObject().put("type", "send").put("address", "fetchbus.jobs.submit")
        .put("headers", new JsonObject().put("token", "h").put("other", "kept"))
        .put("body", new JsonObject().put("token", "b").put("urls", new JsonArray()));

    assertThat(BridgeGuard.takeToken(frame)).isEqualTo("h");
    assertThat(frame.getJsonObject("headers")).isEqualTo(new JsonObject().put("other", "kept"));
    assertThat(frame.getJsonObject("body").containsKey("token")).isFalse();

    JsonObject bodyOnly = new JsonObject().put("body", new JsonObject().put("token", "b"));
    assertThat(BridgeGuard.takeToken(bodyOnly)).isEqualTo("b");
    assertThat(BridgeGuard.takeToken(new JsonObject().put("body", "not an object"))).isNull();
  }

  @Test
  void withTokensConfiguredOnlyAValidOneIsAllowed() {
    BridgeGuard guard = new BridgeGuard(ApiTokens.of(new JsonArray().add("secret")));
    assertThat(guard.allows("secret")).isTrue();
    assertThat(guard.allows("Secret")).isFalse();
    assertThat(guard.allows(null)).isFalse();
    assertThat(new BridgeGuard(ApiTokens.of(new JsonArray())).allows(null)).isTrue();
  }

  @Test
  void theOutboundPatternIsExactlyTheProgressAddresses() {
    assertThat("fetchbus.events.job.0b6f2c1e-8a43-4c3e-9d51-5f7a0e2b9c10").matches(FetchApi.PROGRESS_ADDRESSES);
    assertThat("fetchbus.events.job.").doesNotMatch(FetchApi.PROGRESS_ADDRESSES);
    assertThat("fetchbus.events.results").doesNotMatch(FetchApi.PROGRESS_ADDRESSES);
    assertThat("fetchbusXevents.job.x").doesNotMatch(FetchApi.PROGRESS_ADDRESSES);
  }

  @Test
  void theInboundListIsWhatTheContractsOpenToTheBridge() {
    assertThat(Contracts.bridgedAddresses()).containsExactlyInAnyOrder(JobsApi.SUBMIT.address(),
        FetchApi.CANCEL.address(), StoreApi.JOBS_GET.address());
  }
}
