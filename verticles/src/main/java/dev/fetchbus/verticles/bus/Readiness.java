package dev.fetchbus.verticles.bus;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/** Whether every verticle of the deployment plan is up: set by the app, read by health checks. */
public final class Readiness {
  private static final String MAP = "fetchbus.readiness";
  private static final String DEPLOYED = "deployed";

  private Readiness() {
  }

  public static void setDeployed(Vertx vertx, boolean deployed) {
    map(vertx).put(DEPLOYED, deployed);
  }

  public static boolean deployed(Vertx vertx) {
    return Boolean.TRUE.equals(map(vertx).get(DEPLOYED));
  }

  private static LocalMap<String, Boolean> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
