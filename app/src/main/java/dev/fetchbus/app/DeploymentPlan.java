package dev.fetchbus.app;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which verticles run, in which order, how many, on which threads and with what config: read from conf/plan.json.
 * Entries deploy one after another (the schema before the store, the store before the fetcher, HTTP last) and
 * undeploy in reverse, so every verticle finds what it depends on already running.
 */
public record DeploymentPlan(List<Entry> entries) {

  /**
   * One verticle of the plan. {@code instances} is a number, or "cores" for one per available processor.
   * A verticle's config is the app config's top-level {@code sections} (all of it when the entry names none) with
   * the entry's own {@code config} merged over it. Keeping it to what the verticle reads matters: Vert.x copies a
   * verticle's config into every context it builds for it, and its HTTP client builds one per request.
   * {@code needsDatabase}: the verticle connects to PostgreSQL itself (the others reach the store over the bus).
   */
  public record Entry(String name, String className, ThreadingModel threading, int instances, boolean needsDatabase,
                      List<String> sections, JsonObject config) {

    JsonObject configFrom(JsonObject appConfig) {
      JsonObject own = new JsonObject();
      if (sections == null) {
        own = appConfig.copy();
      } else {
        for (String section : sections) {
          if (!appConfig.containsKey(section)) {
            throw new IllegalArgumentException("plan entry " + name + ": the config has no section '" + section + "'");
          }
          Object value = appConfig.getValue(section);
          own.put(section, value instanceof JsonObject object ? object.copy()
              : value instanceof JsonArray array ? array.copy() : value);
        }
      }
      return own.mergeIn(config, true);
    }
  }

  public static DeploymentPlan fromJson(JsonObject json) {
    List<Entry> entries = new ArrayList<>();
    for (Object o : json.getJsonArray("verticles")) {
      JsonObject e = (JsonObject) o;
      String name = require(e, "name");
      if (!e.getBoolean("enabled", true)) {
        continue;
      }
      Object instances = e.getValue("instances", 1);
      int count = "cores".equals(instances) ? Runtime.getRuntime().availableProcessors() : (Integer) instances;
      if (count < 1) {
        throw new IllegalArgumentException("plan entry " + name + ": instances must be at least 1");
      }
      JsonArray sections = e.getJsonArray("sections");
      entries.add(new Entry(name, require(e, "class"),
          ThreadingModel.valueOf(e.getString("threading", "EVENT_LOOP").toUpperCase(Locale.ROOT)), count,
          e.getBoolean("needsDatabase", false),
          sections == null ? null : sections.stream().map(String::valueOf).toList(),
          e.getJsonObject("config", new JsonObject())));
    }
    return new DeploymentPlan(List.copyOf(entries));
  }

  /**
   * The entries this node runs: those named in {@code roles} (the {@code roles} config), in plan order; all of them
   * when roles is null. A name the plan does not have is refused, so a typo cannot start a node that does nothing.
   */
  public DeploymentPlan forRoles(List<String> roles) {
    if (roles == null) {
      return this;
    }
    Set<String> names = new LinkedHashSet<>(entries.stream().map(Entry::name).toList());
    List<String> unknown = roles.stream().filter(role -> !names.contains(role)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown role(s) " + unknown + ": roles name entries of the deployment plan, "
          + names);
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("roles is empty: name at least one of " + names + ", or leave it unset for all");
    }
    return new DeploymentPlan(entries.stream().filter(entry -> roles.contains(entry.name())).toList());
  }

  /** Whether any entry connects to PostgreSQL itself: only then does the node need a database (or start one). */
  public boolean needsDatabase() {
    return entries.stream().anyMatch(Entry::needsDatabase);
  }

  /** Deploys the entries in order; the future holds the deployment ids in the same order. */
  public Future<List<String>> deploy(Vertx vertx, JsonObject appConfig) {
    List<String> ids = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Entry entry : entries) {
      chain = chain.compose(v -> vertx.deployVerticle(entry.className(), new DeploymentOptions()
                  .setThreadingModel(entry.threading())
                  .setInstances(entry.instances())
                  .setConfig(entry.configFrom(appConfig)))
              .recover(err -> Future.failedFuture(new IllegalStateException(
                  "deploying " + entry.name() + " (" + entry.className() + ") failed: " + err.getMessage(), err))))
          .map(id -> {
            ids.add(id);
            return null;
          });
    }
    return chain.map(v -> ids);
  }

  /** Undeploys in reverse order, each after the one before has stopped, going on past a failure. */
  public static Future<Void> undeploy(Vertx vertx, List<String> ids) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = ids.size() - 1; i >= 0; i--) {
      String id = ids.get(i);
      chain = chain.transform(previous -> vertx.undeploy(id));
    }
    return chain;
  }

  private static String require(JsonObject entry, String key) {
    String value = entry.getString(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("plan entry " + entry.encode() + " has no '" + key + "'");
    }
    return value;
  }
}
