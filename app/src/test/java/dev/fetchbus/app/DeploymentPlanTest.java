package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.ThreadingModel;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeploymentPlanTest {
  @Test
  void theShippedPlanDeploysMigrationsFirstReportsAsAWorkerAndHttpPerCore() {
    DeploymentPlan plan = DeploymentPlan.fromJson(ConfigLoader.resource("conf/plan.json"));
    assertThat(plan.entries()).extracting(DeploymentPlan.Entry::name)
        .containsExactly("migrations", "store", "fetch", "reports", "stats", "http", "tcp", "bridge", "management");
    assertThat(plan.entries().get(0).threading()).isEqualTo(ThreadingModel.WORKER);
    assertThat(plan.entries().get(3).threading()).isEqualTo(ThreadingModel.WORKER);
    assertThat(plan.entries().get(5).instances()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(plan.entries().get(6).instances()).isOne();
    for (DeploymentPlan.Entry entry : plan.entries()) {
      assertThat(entry.className()).as("class of %s exists", entry.name()).satisfies(name -> Class.forName(name));
    }
  }

  @Test
  void anEntryWithSectionsGetsOnlyThoseAndItsOwnConfig() {
    DeploymentPlan plan = DeploymentPlan.fromJson(new JsonObject("""
        {"verticles": [{"name": "f", "class": "x.F", "sections": ["dataDir", "fetch"], "config": {"fetch": {"b": 2}}},
                       {"name": "g", "class": "x.G"}, {"name": "h", "class": "x.H", "sections": ["nope"]}]}
        """));
    JsonObject app = new JsonObject("{\"dataDir\": \"d\", \"fetch\": {\"a\": 1}, \"http\": {\"port\": 1}}");
    assertThat(plan.entries().get(0).configFrom(app))
        .isEqualTo(new JsonObject("{\"dataDir\": \"d\", \"fetch\": {\"a\": 1, \"b\": 2}}"));
    assertThat(app.getJsonObject("fetch").containsKey("b")).as("the app config is left alone").isFalse();
    assertThat(plan.entries().get(1).configFrom(app)).isEqualTo(app);
    assertThatThrownBy(() -> plan.entries().get(2).configFrom(app)).hasMessageContaining("'nope'");
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

  @Test
  void rolesPickEntriesInPlanOrderAndOnlyTheStoreAndMigrationsNeedTheDatabase() {
    DeploymentPlan plan = DeploymentPlan.fromJson(ConfigLoader.resource("conf/plan.json"));
    assertThat(plan.forRoles(null)).isSameAs(plan);
    assertThat(plan.needsDatabase()).isTrue();
    DeploymentPlan front = plan.forRoles(List.of("http", "store", "migrations", "reports"));
    assertThat(front.entries()).extracting(DeploymentPlan.Entry::name)
        .containsExactly("migrations", "store", "reports", "http");
    assertThat(front.needsDatabase()).isTrue();
    assertThat(plan.entries()).filteredOn(DeploymentPlan.Entry::needsDatabase)
        .extracting(DeploymentPlan.Entry::name).containsExactly("migrations", "store");
    DeploymentPlan fetchers = plan.forRoles(List.of("fetch"));
    assertThat(fetchers.entries()).extracting(DeploymentPlan.Entry::name).containsExactly("fetch");
    assertThat(fetchers.needsDatabase()).isFalse();
  }

  @Test
  void anUnknownOrEmptyRoleListIsRefusedWithThePlansNames() {
    DeploymentPlan plan = DeploymentPlan.fromJson(ConfigLoader.resource("conf/plan.json"));
    assertThatThrownBy(() -> plan.forRoles(List.of("fetch", "fetcher")))
        .hasMessageContaining("[fetcher]")
        .hasMessageContaining("migrations, store, fetch, reports, stats, http, tcp, bridge, management");
    assertThatThrownBy(() -> plan.forRoles(List.of())).hasMessageContaining("empty");
  }

  @Test
  void theRolesVariableAndTheClusterOptionReachTheConfig() {
    JsonObject config = ConfigLoader.load(Map.of("FETCHBUS_ROLES", " fetch , http "));
    assertThat(config.getJsonArray("roles").getList()).containsExactly("fetch", "http");
    assertThat(ConfigLoader.load(Map.of()).getValue("roles")).isNull();
    assertThat(config.getJsonObject("cluster").getBoolean("enabled")).isFalse();
    Main.applyOptions(config, new String[] {"--cluster"});
    assertThat(config.getJsonObject("cluster").getBoolean("enabled")).isTrue();
    assertThatThrownBy(() -> Main.applyOptions(config, new String[] {"--clustr"})).hasMessageContaining("--clustr");
  }
}
