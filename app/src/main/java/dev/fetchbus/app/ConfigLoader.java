package dev.fetchbus.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds the configuration: the defaults in conf/config.json, then an optional file named by FETCHBUS_CONFIG, then
 * the FETCHBUS_* environment variables, which always win. It runs before Vert.x exists (the Vert.x options come
 * from it), which is why it is a plain reader and not vertx-config.
 */
public final class ConfigLoader {
  /** Environment variable → config path and how its text becomes a value. The one table of them. */
  private static final Map<String, Setting> ENVIRONMENT = Map.ofEntries(
      Map.entry("FETCHBUS_HTTP_HOST", new Setting("http.host", text -> text)),
      Map.entry("FETCHBUS_HTTP_PORT", new Setting("http.port", ConfigLoader::port)),
      Map.entry("FETCHBUS_TCP_HOST", new Setting("tcp.host", text -> text)),
      Map.entry("FETCHBUS_TCP_PORT", new Setting("tcp.port", ConfigLoader::port)),
      Map.entry("FETCHBUS_BRIDGE_HOST", new Setting("bridge.host", text -> text)),
      Map.entry("FETCHBUS_BRIDGE_PORT", new Setting("bridge.port", ConfigLoader::port)),
      Map.entry("FETCHBUS_MANAGEMENT_HOST", new Setting("management.host", text -> text)),
      Map.entry("FETCHBUS_MANAGEMENT_PORT", new Setting("management.port", ConfigLoader::port)),
      Map.entry("FETCHBUS_PG_URL", new Setting("pg.url", text -> text.isBlank() ? null : text)),
      Map.entry("FETCHBUS_DATA_DIR", new Setting("dataDir", text -> text)),
      Map.entry("FETCHBUS_MIRROR_DIR", new Setting("fetch.mirrorDir", text -> text.isBlank() ? null : text)),
      Map.entry("FETCHBUS_UPLOAD_DIR", new Setting("uploads.dir", text -> text.isBlank() ? null : text)),
      Map.entry("FETCHBUS_FETCH_ALLOW", new Setting("fetch.allow", ConfigLoader::list)),
      Map.entry("FETCHBUS_API_TOKENS", new Setting("auth.tokens", ConfigLoader::list)),
      Map.entry("FETCHBUS_LOG_FORMAT", new Setting("log.format", ConfigLoader::logFormat)),
      Map.entry("FETCHBUS_DEBUG", new Setting("debug.enabled", ConfigLoader::bool)),
      Map.entry("FETCHBUS_CLUSTER", new Setting("cluster.enabled", ConfigLoader::bool)),
      Map.entry("FETCHBUS_CLUSTER_HOST", new Setting("cluster.host", text -> text)),
      Map.entry("FETCHBUS_CLUSTER_PORT", new Setting("cluster.port", ConfigLoader::port)),
      Map.entry("FETCHBUS_CLUSTER_MEMBERS", new Setting("cluster.members", ConfigLoader::list)),
      Map.entry("FETCHBUS_ROLES", new Setting("roles", text -> text.isBlank() ? null : list(text))));

  /** The environment variables the service reads, for checks such as the compose file's. */
  public static Set<String> environmentNames() {
    return ENVIRONMENT.keySet();
  }

  private ConfigLoader() {
  }

  public static JsonObject load(Map<String, String> env) {
    JsonObject config = resource("conf/config.json");
    String file = env.get("FETCHBUS_CONFIG");
    if (file != null && !file.isBlank()) {
      JsonObject given;
      try {
        given = new JsonObject(Files.readString(Path.of(file)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read FETCHBUS_CONFIG file " + file, e);
      }
      refuseUnknown(config, given, "");
      config.mergeIn(given, true);
    }
    ENVIRONMENT.forEach((name, setting) -> {
      String value = env.get(name);
      if (value != null) {
        try {
          put(config, setting.path(), setting.parse().apply(value.trim()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(name + "='" + value + "': " + e.getMessage(), e);
        }
      }
    });
    return config;
  }

  /** Reads a JSON file that the jar carries under conf/. */
  public static JsonObject resource(String name) {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void put(JsonObject config, String path, Object value) {
    String[] keys = path.split("\\.");
    JsonObject node = config;
    for (int i = 0; i < keys.length - 1; i++) {
      JsonObject child = node.getJsonObject(keys[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(keys[i], child);
      }
      node = child;
    }
    node.put(keys[keys.length - 1], value);
  }

  private static Integer port(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("not a port number (0-65535)");
  }

  private static Boolean bool(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("must be true or false");
    };
  }

  private static String logFormat(String text) {
    if (!text.equals("text") && !text.equals("json")) {
      throw new IllegalArgumentException("must be text or json");
    }
    return text;
  }

  /**
   * A setting the defaults do not have is a mistake (a typo, or a name from an older version) that would otherwise be
   * ignored without a word while its default applies: refused, with the path of the setting.
   */
  static void refuseUnknown(JsonObject defaults, JsonObject given, String path) {
    for (String key : given.fieldNames()) {
      String at = path.isEmpty() ? key : path + "." + key;
      if (!defaults.containsKey(key)) {
        throw new IllegalArgumentException("FETCHBUS_CONFIG: unknown setting '" + at + "' (conf/config.json lists"
            + " every setting" + (path.isEmpty() ? "" : "; those under '" + path + "' are " + defaults.fieldNames())
            + ")");
      }
      if (defaults.getValue(key) instanceof JsonObject inner && given.getValue(key) instanceof JsonObject changed) {
        refuseUnknown(inner, changed, at);
      }
    }
  }

  /** A JsonArray that can still be added to (a command adds its own entries, such as {@code fetch --allow}). */
  private static JsonArray list(String text) {
    JsonArray list = new JsonArray();
    Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(list::add);
    return list;
  }

  private record Setting(String path, Function<String, Object> parse) {
  }
}
