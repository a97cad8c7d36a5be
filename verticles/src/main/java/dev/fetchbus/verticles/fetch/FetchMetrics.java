package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The fetcher's own meters. Every meter is looked up once, here: recording a result is an array index and an
 * increment, no map of tags per call.
 */
final class FetchMetrics {
  private final EnumMap<Outcome, Counter> results = new EnumMap<>(Outcome.class);
  private final EnumMap<JobStatus, Timer> jobDurations = new EnumMap<>(JobStatus.class);
  private final MeterRegistry registry;
  private final Counter bytes;
  private final DistributionSummary batchSizes;

  FetchMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Outcome outcome : Outcome.values()) {
      results.put(outcome, Counter.builder("fetchbus.results")
          .description("URLs fetched, by outcome (results of cancelled fetches are not counted)")
          .tag("outcome", outcome.wire())
          .register(registry));
    }
    for (JobStatus status : JobStatus.values()) {
      if (status.finished()) {
        jobDurations.put(status, Timer.builder("fetchbus.job.duration")
            .description("From a job's first start to its end, by final status")
            .tag("status", status.wire())
            .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1),
                Duration.ofMinutes(10), Duration.ofHours(1))
            .register(registry));
      }
    }
    bytes = Counter.builder("fetchbus.fetched")
        .description("Body bytes fetched (after decoding, when the job decodes)")
        .baseUnit(BaseUnits.BYTES)
        .register(registry);
    batchSizes = DistributionSummary.builder("fetchbus.batch.size")
        .description("Results per batch sent to the store")
        .serviceLevelObjectives(1, 10, 100, 250, 500)
        .register(registry);
  }

  /**
   * Gauges of this node's fetching, read when scraped: fetches in flight and waiting for the node's window, and the
   * jobs it runs.
   */
  void watch(InFlightLimiter limiter, Map<String, JobRun> runs) {
    Gauge.builder("fetchbus.fetch.in.flight", limiter, InFlightLimiter::used)
        .description("Fetches in flight on this node (fetch.maxInFlight at most)")
        .register(registry);
    Gauge.builder("fetchbus.fetch.waiting", limiter, InFlightLimiter::waiting)
        .description("Fetches waiting for room in this node's window")
        .register(registry);
    Gauge.builder("fetchbus.jobs.running", runs, Map::size)
        .description("Jobs this node is running")
        .register(registry);
  }

  void result(FetchResult result) {
    results.get(result.outcome()).increment();
    if (result.bytes() > 0) {
      bytes.increment(result.bytes());
    }
  }

  void batchFlushed(int size) {
    batchSizes.record(size);
  }

  /** A job that ran has ended: its time from first start to end, as the database recorded them. */
  void jobEnded(JobView job) {
    Timer timer = jobDurations.get(job.status());
    if (timer != null && job.startedAt() != null && job.finishedAt() != null) {
      timer.record(Duration.between(job.startedAt(), job.finishedAt()));
    }
  }
}
