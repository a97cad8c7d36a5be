package dev.fetchbus.verticles.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class FetchNodesTest {
  @Test
  void everyNodeOnceByNameWithItsLatestSnapshotAndItsAge() {
    FetchNodes nodes = new FetchNodes(10_000);
    nodes.heard(new JsonObject().put("node", "2@b").put("inFlight", 1), 1_000);
    nodes.heard(new JsonObject().put("node", "1@a").put("inFlight", 5), 2_000);
    nodes.heard(new JsonObject().put("node", "2@b").put("inFlight", 7), 3_000);

    JsonArray seen = nodes.toJson(4_000);
    assertThat(seen).hasSize(2);
    assertThat(seen.getJsonObject(0)).isEqualTo(new JsonObject().put("node", "1@a").put("inFlight", 5).put("ageMs", 2_000L));
    assertThat(seen.getJsonObject(1)).isEqualTo(new JsonObject().put("node", "2@b").put("inFlight", 7).put("ageMs", 1_000L));
  }

  @Test
  void aNodeSilentForLongerThanTheMaximumAgeIsGone() {
    FetchNodes nodes = new FetchNodes(10_000);
    nodes.heard(new JsonObject().put("node", "1@a"), 0);
    nodes.heard(new JsonObject().put("node", "2@b"), 5_000);
    assertThat(nodes.toJson(10_000)).hasSize(2);
    assertThat(nodes.toJson(10_001)).extracting(n -> ((JsonObject) n).getString("node")).containsExactly("2@b");
    // A node heard from again is back.
    nodes.heard(new JsonObject().put("node", "1@a"), 12_000);
    assertThat(nodes.toJson(12_000)).hasSize(2);
  }
}
