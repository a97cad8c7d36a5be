package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml sets only variables the service reads, and what each service needs: a misspelt variable would
 * be ignored without a word, and the node would start with a default instead.
 */
class ComposeFileTest {
  /** A service name: two spaces in, under "services:". */
  private static final Pattern SERVICE = Pattern.compile("^  ([A-Za-z0-9_-]+):\\s*$");
  /** {@code KEY: value} under a service's "environment:" mapping (the file uses the mapping form only). */
  private static final Pattern VARIABLE = Pattern.compile("^\\s+(FETCHBUS_[A-Z0-9_]+):\\s*(.*)$");
  /** A service's own setting, four spaces in ({@code mem_limit: 1g}); kept beside its variables under the key. */
  private static final Pattern SETTING = Pattern.compile("^    ([a-z_]+):\\s*(\\S.*)$");

  private static Map<String, Map<String, String>> environments;

  @BeforeAll
  static void read() throws IOException {
    environments = environments(Files.readAllLines(Path.of("..", "docker-compose.yml")));
  }

  @Test
  void everyFetchbusVariableInTheFileIsOneTheServiceReads() {
    assertThat(environments).containsKeys("app", "fetcher");
    environments.forEach((service, env) -> assertThat(ConfigLoader.environmentNames())
        .as("FETCHBUS_* variables of service %s", service)
        .containsAll(env.keySet().stream().filter(key -> key.startsWith("FETCHBUS_")).toList()));
  }

  @Test
  void everyFetchbusNodeHasAMemoryLimitARestartPolicyAndTimeToStopCleanly() {
    JsonObject config = ConfigLoader.load(Map.of());
    // A stop drains HTTP, then stops the verticles within the shutdown timeout: Docker must not kill before both.
    long stopMs = config.getJsonObject("http").getLong("drainMs") + config.getJsonObject("shutdown").getLong("timeoutMs");
    for (String service : List.of("app", "fetcher")) {
      Map<String, String> settings = environments.get(service);
      assertThat(settings).as(service).containsKey("mem_limit").containsEntry("restart", "unless-stopped");
      assertThat(settings.get("stop_grace_period")).as(service).matches("\\d+s");
      long graceMs = Long.parseLong(settings.get("stop_grace_period").replace("s", "")) * 1000;
      assertThat(graceMs).as("%s stop_grace_period", service).isGreaterThan(stopMs);
    }
  }

  @Test
  void theAppServesHttpOnAllInterfacesWithTokensAndTheDatabaseButDoesNotFetch() {
    Map<String, String> app = environments.get("app");
    assertThat(app).containsKeys("FETCHBUS_PG_URL", "FETCHBUS_API_TOKENS", "FETCHBUS_CLUSTER_MEMBERS")
        .containsEntry("FETCHBUS_HTTP_HOST", "0.0.0.0")
        .containsEntry("FETCHBUS_CLUSTER", "\"true\"");
    assertThat(roles(app)).contains("http", "store", "migrations").doesNotContain("fetch");
  }

  @Test
  void theFetcherRunsOnlyFetchersAndJoinsTheAppsCluster() {
    Map<String, String> fetcher = environments.get("fetcher");
    assertThat(fetcher).containsEntry("FETCHBUS_CLUSTER", "\"true\"")
        .containsEntry("FETCHBUS_CLUSTER_MEMBERS", "app")
        .doesNotContainKey("FETCHBUS_PG_URL");
    assertThat(roles(fetcher)).containsExactly("fetch", "management");
    assertThat(fetcher).containsKey("FETCHBUS_MANAGEMENT_PORT");
  }

  /** The roles as the service would read them; unknown names fail as they would at start-up. */
  private static List<String> roles(Map<String, String> env) {
    List<String> roles = Arrays.stream(env.get("FETCHBUS_ROLES").split(",")).map(String::trim).toList();
    DeploymentPlan.fromJson(ConfigLoader.resource("conf/plan.json")).forRoles(roles);
    return roles;
  }

  /**
   * Service name → its FETCHBUS_* variables and its own settings, read line by line (no YAML library for one file of
   * known shape).
   */
  private static Map<String, Map<String, String>> environments(List<String> lines) {
    Map<String, Map<String, String>> result = new LinkedHashMap<>();
    boolean inServices = false;
    String service = null;
    for (String line : lines) {
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      if (!line.startsWith(" ")) {
        inServices = line.equals("services:");
        service = null;
        continue;
      }
      Matcher serviceLine = SERVICE.matcher(line);
      if (inServices && serviceLine.matches()) {
        service = serviceLine.group(1);
        result.put(service, new LinkedHashMap<>());
        continue;
      }
      Matcher variable = VARIABLE.matcher(line);
      Matcher setting = SETTING.matcher(line);
      if (service != null && variable.matches()) {
        result.get(service).put(variable.group(1), variable.group(2).trim());
      } else if (service != null && setting.matches()) {
        result.get(service).put(setting.group(1), setting.group(2).trim());
      }
    }
    return result;
  }
}
