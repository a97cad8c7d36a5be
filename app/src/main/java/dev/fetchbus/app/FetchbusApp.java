package dev.fetchbus.app;

import dev.fetchbus.verticles.ops.Metrics;
import dev.fetchbus.verticles.ops.Readiness;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Fetchbus: the database (embedded unless {@code pg.url} is set, and only if this node's roles need one),
 * one Vert.x instance (clustered when {@code cluster.enabled}) and the deployment plan. {@link #start} and {@link #stop} block: call them from main, a signal handler or a test, never an event loop.
 */
public final class FetchbusApp {
  private static final Logger LOG = LoggerFactory.getLogger(FetchbusApp.class);

  private final JsonObject config;
  private final Vertx vertx;
  private final EmbeddedDatabase database;
  private final List<String> deployments;

  private FetchbusApp(JsonObject config, Vertx vertx, EmbeddedDatabase database, List<String> deployments) {
    this.config = config;
    this.vertx = vertx;
    this.database = database;
    this.deployments = deployments;
  }

  /**
   * Starts the entries of the plan that the {@code roles} config names (all when unset). The embedded database
   * starts only if one of them needs a database and {@code pg.url} is unset: a fetchers-only node has none.
   */
  public static FetchbusApp start(JsonObject config, DeploymentPlan fullPlan) throws Exception {
    JsonObject resolved = config.copy();
    JsonArray roles = resolved.getJsonArray("roles");
    // A management port that is set is served whatever the roles name: a node told to answer there must.
    if (roles != null && resolved.getJsonObject("management").getInteger("port") != 0 && !roles.contains("management")) {
      roles.add("management");
    }
    DeploymentPlan plan = fullPlan.forRoles(roles == null ? null : roles.stream().map(String::valueOf).toList());
    Path dataDir = Path.of(resolved.getString("dataDir"));
    Files.createDirectories(dataDir);
    JsonObject pg = resolved.getJsonObject("pg");
    EmbeddedDatabase database = null;
    if (plan.needsDatabase() && pg.getString("url") == null) {
      database = EmbeddedDatabase.start(dataDir, pg.getJsonObject("embedded"));
      pg.put("url", database.url());
    }
    Vertx vertx;
    try {
      vertx = createVertx(resolved);
    } catch (Exception e) {
      if (database != null) {
        database.close();
      }
      throw e;
    }
    Metrics.bindJvm();
    if (database != null) {
      // Before the plan deploys: the HTTP verticle adds the embedded database's check to readiness if it sees one.
      database.onState(state -> Readiness.setEmbeddedDatabase(vertx, state));
    }
    LOG.info("roles: {}", plan.entries().stream().map(DeploymentPlan.Entry::name).toList());
    if (vertx.isNativeTransportEnabled()) {
      LOG.info("transport: native epoll");
    } else {
      LOG.info("transport: NIO (native transport unavailable: {})", vertx.unavailableNativeTransportCause());
    }
    long timeoutMs = resolved.getJsonObject("shutdown").getLong("timeoutMs");
    try {
      List<String> ids = await(plan.deploy(vertx, resolved), timeoutMs);
      if (plan.entries().stream().anyMatch(entry -> entry.name().equals("http"))) {
        JsonObject http = resolved.getJsonObject("http");
        await(HttpWarmup.run(vertx, http.getString("host"), http.getInteger("port"), http.getJsonObject("warmup")),
            timeoutMs);
      }
      Readiness.setDeployed(vertx, true);
      LOG.info("Fetchbus up: {} verticle(s) deployed from the plan", ids.size());
      return new FetchbusApp(resolved, vertx, database, ids);
    } catch (Exception e) {
      try {
        await(vertx.close(), timeoutMs);
      } catch (Exception closing) {
        e.addSuppressed(closing);
      } finally {
        if (database != null) {
          database.close();
        }
      }
      throw e;
    }
  }

  /** Readiness turns 503, verticles stop in reverse plan order (HTTP drains first), then Vert.x and the database. */
  public void stop() throws Exception {
    long timeoutMs = config.getJsonObject("shutdown").getLong("timeoutMs");
    Readiness.setDeployed(vertx, false);
    try {
      await(DeploymentPlan.undeploy(vertx, deployments).eventually(vertx::close), timeoutMs);
    } finally {
      if (database != null) {
        database.close();
      }
    }
    LOG.info("Fetchbus stopped");
  }

  /** The Vert.x instance the plan runs on: tests reach its event bus through it. */
  Vertx vertx() {
    return vertx;
  }

  /** The embedded database, or null when {@code pg.url} points elsewhere. */
  EmbeddedDatabase database() {
    return database;
  }

  /** The configuration the verticles were deployed with (the embedded database's URL filled in). */
  public JsonObject config() {
    return config;
  }

  /** A plain Vert.x, or with {@code cluster.enabled} one that joins the Hazelcast cluster first (bounded). */
  private static Vertx createVertx(JsonObject config) throws Exception {
    VertxOptions options = vertxOptions(config);
    JsonObject cluster = config.getJsonObject("cluster");
    if (!cluster.getBoolean("enabled")) {
      return Vertx.builder().with(options).build();
    }
    options.setEventBusOptions(ClusterSetup.eventBusOptions(cluster));
    Vertx vertx = await(Vertx.builder().with(options).withClusterManager(ClusterSetup.clusterManager(cluster))
        .buildClustered(), TimeUnit.SECONDS.toMillis(cluster.getLong("startTimeoutSeconds")));
    LOG.info("joined cluster '{}' as {}:{} (members {})", cluster.getString("name"), cluster.getString("host"),
        cluster.getInteger("port"), cluster.getJsonArray("members"));
    return vertx;
  }

  /**
   * The Vert.x options from the {@code vertx} section, with metrics when {@code metrics.enabled}; with
   * {@code debug.enabled} the blocked-thread checker reports any event-loop task over {@code debug.blockedThresholdMs},
   * with its stack trace at once.
   */
  static VertxOptions vertxOptions(JsonObject config) {
    JsonObject v = config.getJsonObject("vertx");
    JsonObject debug = config.getJsonObject("debug");
    long maxExecuteMs = v.getLong("maxEventLoopExecuteTimeMs");
    long checkIntervalMs = v.getLong("blockedThreadCheckIntervalMs");
    long warningExceptionMs = v.getLong("warningExceptionTimeMs");
    if (debug.getBoolean("enabled")) {
      maxExecuteMs = debug.getLong("blockedThresholdMs");
      checkIntervalMs = Math.max(1, maxExecuteMs / 2);
      warningExceptionMs = maxExecuteMs;
    }
    return new VertxOptions()
        .setPreferNativeTransport(v.getBoolean("preferNativeTransport"))
        .setMaxEventLoopExecuteTime(maxExecuteMs)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(checkIntervalMs)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setWarningExceptionTime(warningExceptionMs)
        .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS)
        .setMetricsOptions(Metrics.options(config.getJsonObject("metrics")));
  }

  /**
   * Blocks the calling thread, bounded: start(), stop() and the command line use it, on the main thread, the
   * shutdown thread or a test thread. On a Vert.x thread it refuses at once rather than stall a loop (and, waiting
   * on work that loop would have to run, never finish).
   */
  static <T> T await(Future<T> future, long timeoutMs) throws Exception {
    if (Context.isOnVertxThread()) {
      throw new IllegalStateException("FetchbusApp.start/stop block; call them off Vert.x threads");
    }
    return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
