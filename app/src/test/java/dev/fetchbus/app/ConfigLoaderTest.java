package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @Test
  void defaultsComeFromConf() {
    JsonObject config = ConfigLoader.load(Map.of());
    assertThat(config.getJsonObject("http").getString("host")).isEqualTo("127.0.0.1");
    assertThat(config.getJsonObject("http").getInteger("port")).isEqualTo(8080);
    assertThat(config.getJsonObject("pg").getString("url")).isNull();
    assertThat(config.getString("dataDir")).isEqualTo("./data");
    assertThat(config.getJsonObject("fetch").getJsonArray("allow")).isEmpty();
  }

  @Test
  void environmentWinsOverTheFileWhichWinsOverDefaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("override.json");
    Files.writeString(file, "{\"http\": {\"port\": 9000, \"host\": \"::1\"}, \"dataDir\": \"/from-file\"}");
    JsonObject config = ConfigLoader.load(Map.of(
        "FETCHBUS_CONFIG", file.toString(),
        "FETCHBUS_HTTP_PORT", "9100",
        "FETCHBUS_PG_URL", "postgresql://u:p@db:5432/fetchbus",
        "FETCHBUS_FETCH_ALLOW", " 127.0.0.0/8, ::1/128 ,"));
    assertThat(config.getJsonObject("http").getInteger("port")).isEqualTo(9100);
    assertThat(config.getJsonObject("http").getString("host")).isEqualTo("::1");
    assertThat(config.getJsonObject("http").getInteger("acceptBacklog")).isEqualTo(4096);
    assertThat(config.getString("dataDir")).isEqualTo("/from-file");
    assertThat(config.getJsonObject("pg").getString("url")).isEqualTo("postgresql://u:p@db:5432/fetchbus");
    assertThat(config.getJsonObject("fetch").getJsonArray("allow")).containsExactly("127.0.0.0/8", "::1/128");
    // fetch --allow adds to the list the environment gave.
    assertThat(config.getJsonObject("fetch").getJsonArray("allow").add("10.0.0.0/8")).hasSize(3);
  }

  @Test
  void aSettingTheDefaultsDoNotHaveIsRefusedWithItsPath(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("old.json");
    Files.writeString(file, "{\"fetch\": {\"retry\": {\"maxBackoffMs\": 5000}}}");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("FETCHBUS_CONFIG", file.toString())))
        .hasMessageContaining("unknown setting 'fetch.retry.maxBackoffMs'").hasMessageContaining("backoff");
    Files.writeString(file, "{\"htp\": {}}");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("FETCHBUS_CONFIG", file.toString())))
        .hasMessageContaining("unknown setting 'htp'");
  }

  @Test
  void aBadPortIsNamed() {
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("FETCHBUS_HTTP_PORT", "http")))
        .hasMessageContaining("FETCHBUS_HTTP_PORT");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("FETCHBUS_HTTP_PORT", "70000")))
        .hasMessageContaining("FETCHBUS_HTTP_PORT");
  }

  @Test
  void theListenersOfAContainerNodeAreSetFromItsEnvironment() {
    JsonObject config = ConfigLoader.load(Map.of(
        "FETCHBUS_TCP_HOST", "0.0.0.0",
        "FETCHBUS_BRIDGE_HOST", "0.0.0.0",
        "FETCHBUS_CLUSTER_PORT", "5711"));
    assertThat(config.getJsonObject("tcp").getString("host")).isEqualTo("0.0.0.0");
    assertThat(config.getJsonObject("bridge").getString("host")).isEqualTo("0.0.0.0");
    assertThat(config.getJsonObject("cluster").getInteger("port")).isEqualTo(5711);
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("FETCHBUS_CLUSTER_PORT", "-1")))
        .hasMessageContaining("FETCHBUS_CLUSTER_PORT");
  }
}
