package dev.fetchbus.verticles.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;

/** The one Prometheus registry Vert.x reports to and Fetchbus adds its own meters to. */
public final class Metrics {
  /** Without metrics, meters are registered here: a registry with no backend, whose meters record nothing. */
  private static final MeterRegistry NOWHERE = new CompositeMeterRegistry();
  /** Registries the JVM meters are bound to; weak, so a closed service's registry can go. */
  private static final Set<MeterRegistry> BOUND = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private Metrics() {
  }

  /**
   * Vert.x metrics (HTTP client, pools, event bus, TCP) into a Prometheus registry, from the config's metrics section.
   * Vert.x's HTTP server meters only with {@code vertxHttpServer}: they look their meters up by tags on every request
   * (a fifth of {@code /hello}'s CPU even with the meter cache; C10K 0.69x a bare server with them, 0.79x with
   * metrics off, in the same run: bench/RESULTS.md); its HTTP client's only with {@code vertxHttpClient}, for the same
   * reason on every fetch (about a tenth of a warm job's CPU samples, in tag lookups and meter registration);
   * {@code fetch/FetchMetrics} counts results by outcome either way;
   * {@code http/RequestTracker} times requests by method, code and route template either way. Labels are bounded:
   * HTTP server meters by route template, never by path (which carries job ids); event-bus meters not by address
   * ({@code fetchbus.events.job.<id>}); the fetcher's client keeps one connection pool per origin address, named
   * after it, so those pool names fold into one, {@code origins}.
   */
  public static MicrometerMetricsOptions options(JsonObject metrics) {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
        .setEnabled(metrics.getBoolean("enabled"))
        // Meters looked up once per label set, not registered again on every use.
        .setMeterCacheEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE, Label.POOL_NAME,
            Label.EB_SIDE))
        .addLabelMatch(new Match().setDomain(MetricsDomain.NAMED_POOLS).setLabel(Label.POOL_NAME.toString())
            .setType(MatchType.REGEX).setValue(".*:[0-9]+").setAlias("origins"));
    if (!metrics.getBoolean("vertxHttpServer")) {
      options.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER);
    }
    if (!metrics.getBoolean("vertxHttpClient")) {
      options.addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT);
    }
    return options;
  }

  /** The registry, when metrics are enabled. */
  public static Optional<MeterRegistry> registry() {
    return Optional.ofNullable(BackendRegistries.getDefaultNow());
  }

  /**
   * A Vert.x pool gauge ({@code vertx.pool.in.use}, {@code vertx.pool.queue.pending}, ...) of the pools of one
   * type ({@code worker}, {@code sql}, {@code http}), by pool name; empty without metrics.
   */
  public static Map<String, Double> poolGauge(String name, String poolType) {
    Map<String, Double> byPool = new TreeMap<>();
    registry().ifPresent(registry -> registry.find(name).tag(Label.POOL_TYPE.toString(), poolType).gauges()
        .forEach(gauge -> byPool.merge(String.valueOf(gauge.getId().getTag(Label.POOL_NAME.toString())),
            gauge.value(), Double::sum)));
    return byPool;
  }

  /** {@code GET /metrics}, Prometheus text, on the router of the HTTP server or of a management port; none without metrics. */
  public static void mountScrape(Router router) {
    registry().ifPresent(registry ->
        router.get("/metrics").handler(PrometheusScrapingHandler.create((PrometheusMeterRegistry) registry)));
  }

  /**
   * The JVM's and the process's own meters ({@code jvm_*}, {@code process_*}, {@code system_cpu_*}): memory and
   * buffer pools, collections, threads, classes, CPU, open files, uptime. Once per registry: a JVM that starts the
   * service again (tests do) gets them on its new registry, not twice on one.
   */
  public static void bindJvm() {
    registry().filter(BOUND::add).ifPresent(registry -> {
      for (MeterBinder binder : new MeterBinder[] {new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(),
          new ClassLoaderMetrics(), new ProcessorMetrics(), new FileDescriptorMetrics(), new UptimeMetrics()}) {
        binder.bindTo(registry);
      }
    });
  }

  /** The registry to add meters to: the real one, or one that records nothing when metrics are off. */
  public static MeterRegistry registryOrNowhere() {
    return registry().orElse(NOWHERE);
  }
}
