package dev.fetchbus.verticles.ops;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;

/**
 * What the readiness check reads and the app sets: whether every verticle of the deployment plan is up, and, when
 * this process runs the embedded database, that database's state (JSON with {@code state} {@code up},
 * {@code restarting} or {@code stopped}).
 */
public final class Readiness {
  private static final String MAP = "fetchbus.readiness";
  private static final String DEPLOYED = "deployed";
  private static final String EMBEDDED_DATABASE = "embeddedDatabase";

  private Readiness() {
  }

  public static void setDeployed(Vertx vertx, boolean deployed) {
    map(vertx).put(DEPLOYED, deployed);
  }

  public static boolean deployed(Vertx vertx) {
    return Boolean.TRUE.equals(map(vertx).get(DEPLOYED));
  }

  public static void setEmbeddedDatabase(Vertx vertx, JsonObject state) {
    map(vertx).put(EMBEDDED_DATABASE, state);
  }

  /** The embedded database's state, or null when this process runs none. */
  public static JsonObject embeddedDatabase(Vertx vertx) {
    return (JsonObject) map(vertx).get(EMBEDDED_DATABASE);
  }

  private static LocalMap<String, Object> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
