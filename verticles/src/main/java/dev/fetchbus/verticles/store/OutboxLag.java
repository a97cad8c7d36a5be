package dev.fetchbus.verticles.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gauge {@code fetchbus.outbox.lag} (seconds, by kind): how long the oldest due outbox task has waited for a
 * poller, as last measured. Unknown (NaN) while the measurement fails.
 */
final class OutboxLag {
  private final MeterRegistry registry;
  private final Map<String, Double> seconds = new ConcurrentHashMap<>();

  OutboxLag(MeterRegistry registry) {
    this.registry = registry;
  }

  void measured(Map<String, Double> lagByKind) {
    lagByKind.forEach((kind, lag) -> {
      if (seconds.put(kind, lag) == null) {
        Gauge.builder("fetchbus.outbox.lag", seconds, s -> s.getOrDefault(kind, Double.NaN))
            .description("How long the oldest due outbox task has waited for a poller")
            .tag("kind", kind)
            .baseUnit("seconds")
            .strongReference(true)
            .register(registry);
      }
    });
  }

  void unknown() {
    seconds.replaceAll((kind, lag) -> Double.NaN);
  }

  /** The last measurement, by kind; NaN becomes null. */
  JsonObject toJson() {
    JsonObject json = new JsonObject();
    seconds.forEach((kind, lag) -> json.put(kind, lag.isNaN() ? null : lag));
    return json;
  }
}
