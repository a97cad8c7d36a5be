package dev.fetchbus.verticles.fetch.api;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.Codec;
import dev.fetchbus.verticles.bus.Endpoint;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Progress;
import dev.fetchbus.verticles.bus.ResultSummary;
import dev.fetchbus.verticles.bus.Topic;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The fetcher's contract: it runs, cancels and purges jobs, and publishes what it does. Asked through
 * {@link FetchClient}; its failures are NOT_FOUND, CONFLICT, BAD_INPUT and INTERNAL as each method says.
 */
public interface FetchApi {
  /** Runs (or resumes) a stored job on this node; {@code false} when it already runs here. */
  Endpoint<String, Boolean> RUN = Endpoint.of("fetchbus.fetch.jobs.run", Codec.JOB_ID,
      Codec.field("accepted", Boolean.class));
  /**
   * Cancels a job: in-flight requests are aborted, finished results stored, the rest marked cancelled. NOT_FOUND, or
   * CONFLICT when the job had already finished.
   */
  Endpoint<String, JobView> CANCEL = Endpoint.of("fetchbus.fetch.jobs.cancel", Codec.JOB_ID,
      Codec.of(JobView::toJson, JobView::fromJson)).openToBridge();
  /**
   * Deletes an ended job with its results, mirror and report files: marks it, removes the files, deletes the rows.
   * NOT_FOUND, CONFLICT while the job runs, INTERNAL when a file could not be removed (the job stays marked; a later
   * purge or the next start finishes it).
   */
  Endpoint<String, Void> PURGE = Endpoint.of("fetchbus.fetch.jobs.purge", Codec.JOB_ID, Codec.flag("purged"));
  /**
   * What this node is doing now: {"node", "inFlight", "maxInFlight", "waiting" (runs waiting for a fetcher-wide
   * slot), "jobs": [{"id", "inFlight", "queued", "unstored", "done", "total", "concurrency", "perHost", "chunks"}]}.
   */
  Endpoint<Void, JsonObject> MONITOR = Endpoint.of("fetchbus.fetch.monitor", Codec.NONE, Codec.DOCUMENT);

  /** Published by the node that ended a job early (cancel, deadline): every other node on it stops its run. */
  Topic<String> ENDED = new Topic<>("fetchbus.fetch.jobs.ended", Codec.JOB_ID);
  /**
   * Published when a node joins or leaves a job (the nodes on it ask for their share again), and with
   * {@code invite} when a node leases its first chunk of a job (idle nodes join it).
   */
  Topic<WorkersChanged> WORKERS = new Topic<>("fetchbus.fetch.jobs.workers",
      Codec.of(WorkersChanged::toJson, WorkersChanged::fromJson));
  /** Published by every fetch node every {@code fetch.monitorPublishMs}: its {@link #MONITOR} reply. */
  Topic<JsonObject> NODES = new Topic<>("fetchbus.fetch.nodes", Codec.DOCUMENT);
  /** Published by a job run with each batch of results it stores: counts per host. */
  Topic<ResultSummary> RESULTS = new Topic<>("fetchbus.events.results",
      Codec.of(ResultSummary::toJson, ResultSummary::fromJson));
  /** Where every job's progress topic starts; the job id follows. */
  String PROGRESS_PREFIX = "fetchbus.events.job.";
  /** Every job's progress topic, and nothing else: what bridge clients may receive. */
  String PROGRESS_ADDRESSES = PROGRESS_PREFIX.replace(".", "\\.") + ".+";

  List<Endpoint<?, ?>> ENDPOINTS = List.of(RUN, CANCEL, PURGE, MONITOR);

  /**
   * A job's progress, published at most every 250 ms while it runs and once with {@code final} when it ends; counts
   * include results fetched but not yet stored.
   */
  static Topic<Progress> progress(String jobId) {
    return new Topic<>(PROGRESS_PREFIX + jobId, Codec.of(Progress::toJson, Progress::fromJson));
  }

  Future<Boolean> run(String id);

  Future<JobView> cancel(String id);

  Future<Void> purge(String id);

  Future<JsonObject> monitor();

  /** Asks the fetcher over the event bus, each request with the bus's timeout. */
  static FetchApi client(Bus bus) {
    return new FetchClient(bus);
  }

  /** The fetch verticle's consumers: each address answered by the matching method of {@code fetch}. */
  static List<Endpoint.Binding> bindings(FetchApi fetch) {
    return List.of(RUN.bind(fetch::run), CANCEL.bind(fetch::cancel), PURGE.bind(fetch::purge),
        MONITOR.bind(nothing -> fetch.monitor()));
  }

  /** A job's nodes changed; {@code invite}: one has started on it and idle nodes may join. */
  record WorkersChanged(String id, boolean invite) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("invite", invite);
    }

    public static WorkersChanged fromJson(JsonObject json) {
      return new WorkersChanged(json.getString("id"), json.getBoolean("invite", false));
    }
  }
}
