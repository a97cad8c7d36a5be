package dev.fetchbus.verticles.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A family of gauges, one per tag value, holding what a periodic query last measured (the store's queries run on
 * its schedule, not on a scrape): {@code fetchbus.outbox.lag} by kind, {@code fetchbus.jobs} by status. Unknown
 * (NaN) while the measurement fails.
 */
final class MeasuredGauges {
  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final String tag;
  private final String baseUnit;
  private final Map<String, Double> values = new ConcurrentHashMap<>();

  MeasuredGauges(MeterRegistry registry, String name, String description, String tag, String baseUnit) {
    this.registry = registry;
    this.name = name;
    this.description = description;
    this.tag = tag;
    this.baseUnit = baseUnit;
  }

  static MeasuredGauges outboxLag(MeterRegistry registry) {
    return new MeasuredGauges(registry, "fetchbus.outbox.lag", "How long the oldest due outbox task has waited for a poller",
        "kind", "seconds");
  }

  static MeasuredGauges unfinishedJobs(MeterRegistry registry) {
    return new MeasuredGauges(registry, "fetchbus.jobs", "Jobs queued or running, in the whole database", "status",
        null);
  }

  void measured(Map<String, Double> byTag) {
    byTag.forEach((value, measured) -> {
      if (values.put(value, measured) == null) {
        Gauge.builder(name, values, v -> v.getOrDefault(value, Double.NaN))
            .description(description)
            .tag(tag, value)
            .baseUnit(baseUnit)
            .strongReference(true)
            .register(registry);
      }
    });
  }

  void unknown() {
    values.replaceAll((value, measured) -> Double.NaN);
  }

  /** The last measurement, by tag value; NaN becomes null. */
  JsonObject toJson() {
    JsonObject json = new JsonObject();
    values.forEach((value, measured) -> json.put(value, measured.isNaN() ? null : measured));
    return json;
  }
}
