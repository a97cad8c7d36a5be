package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.ThreadingModel;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class DeploymentPlanTest {
  @Test
  void theShippedPlanDeploysMigrationsFirstReportsAsAWorkerAndHttpLastPerCore() {
    DeploymentPlan plan = DeploymentPlan.fromJson(ConfigLoader.resource("conf/plan.json"));
    assertThat(plan.entries()).extracting(DeploymentPlan.Entry::name)
        .containsExactly("migrations", "store", "fetch", "reports", "http", "tcp");
    assertThat(plan.entries().get(0).threading()).isEqualTo(ThreadingModel.WORKER);
    assertThat(plan.entries().get(3).threading()).isEqualTo(ThreadingModel.WORKER);
    assertThat(plan.entries().get(4).instances()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(plan.entries().get(5).instances()).isOne();
    for (DeploymentPlan.Entry entry : plan.entries()) {
      assertThat(entry.className()).as("class of %s exists", entry.name()).satisfies(name -> Class.forName(name));
    }
  }

  @Test
  void disabledEntriesAreLeftOutAndBadOnesNamed() {
    DeploymentPlan plan = DeploymentPlan.fromJson(new JsonObject("""
        {"verticles": [{"name": "a", "class": "x.A", "enabled": false}, {"name": "b", "class": "x.B", "instances": 3}]}
        """));
    assertThat(plan.entries()).extracting(DeploymentPlan.Entry::name).containsExactly("b");
    assertThat(plan.entries().get(0).instances()).isEqualTo(3);
    assertThat(plan.entries().get(0).threading()).isEqualTo(ThreadingModel.EVENT_LOOP);
    assertThatThrownBy(() -> DeploymentPlan.fromJson(new JsonObject("{\"verticles\": [{\"name\": \"c\"}]}")))
        .hasMessageContaining("class");
    assertThatThrownBy(() -> DeploymentPlan.fromJson(new JsonObject(
        "{\"verticles\": [{\"name\": \"d\", \"class\": \"x.D\", \"instances\": 0}]}"))).hasMessageContaining("instances");
  }
}
