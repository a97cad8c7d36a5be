package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.ResultBatch;
import dev.fetchbus.verticles.bus.UrlRef;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The store's side of the fetcher's bus contract, in memory: what a fetch verticle needs to run jobs, with the
 * rules that matter to it (a result per URL at most once; {@code done} not taken while a URL has none, the job's
 * view answered as it is; chunks leased once and done once their results are stored). One node works on a job at a
 * time here, with the job's whole limits. It also counts every result it was sent, so a test sees duplicates the
 * idempotent append would hide. Ending a job early ({@code abandon}) gives every URL without a result its outcome.
 */
final class MemoryStore {
  /** One job: its URLs by seq, the results stored, and every result sent (stored or not). */
  static final class Job {
    final String id;
    final JobOptions options;
    final List<String> urls;
    final Map<Integer, FetchResult> results = new TreeMap<>();
    final Map<Integer, Integer> sent = new HashMap<>();
    /** Chunks of {@link #CHUNK} URLs: not in the map, free; false, leased; true, done. */
    final Map<Integer, Boolean> chunks = new HashMap<>();
    JobStatus status = JobStatus.QUEUED;

    Job(String id, JobOptions options, List<String> urls) {
      this.id = id;
      this.options = options;
      this.urls = urls;
    }

    JobView view() {
      int succeeded = (int) results.values().stream().filter(r -> r.outcome() == Outcome.OK).count();
      return new JobView(id, status, urls.size(), results.size(), succeeded, results.size() - succeeded, 0,
          results.values().stream().mapToLong(FetchResult::bytes).sum(),
          OffsetDateTime.now(), null, null, null);
    }
  }

  static final int CHUNK = 500;
  private final Map<String, Job> jobs = new HashMap<>();

  Job add(String id, JobOptions options, List<String> urls) {
    Job job = new Job(id, options, urls);
    jobs.put(id, job);
    return job;
  }

  /** Registers the consumers; the store lives on the caller's context, so its maps need no locks. */
  Future<Void> start(Vertx vertx) {
    List<Future<Void>> consumers = new ArrayList<>();
    Map<String, Function<JsonObject, JsonObject>> handlers = Map.ofEntries(
        Map.entry(StoreApi.JOBS_START.address(), this::start),
        Map.entry(StoreApi.JOBS_GET.address(), request -> job(request).view().toJson()),
        Map.entry(StoreApi.JOBS_WORK.address(), this::work),
        Map.entry(StoreApi.CHUNKS_LEASE.address(), this::lease),
        Map.entry(StoreApi.CHUNKS_DONE.address(), request -> {
          job(request).chunks.put(request.getInteger("chunk"), true);
          return new JsonObject();
        }),
        Map.entry(StoreApi.RESULTS_APPEND.address(), this::append),
        Map.entry(StoreApi.JOBS_FINISH.address(), this::finish),
        Map.entry(StoreApi.JOBS_ABANDON.address(), this::abandon),
        Map.entry(StoreApi.JOBS_UNFINISHED.address(), request -> new JsonObject().put("ids", new JsonArray())),
        Map.entry(StoreApi.JOBS_RELEASE.address(), request -> new JsonObject().put("released", 0)),
        Map.entry(StoreApi.JOBS_PURGING.address(), request -> new JsonObject().put("ids", new JsonArray())),
        Map.entry(StoreApi.JOBS_KNOWN.address(), request -> new JsonObject()
            .put("existing", new JsonArray(request.getJsonArray("ids").stream().filter(jobs::containsKey).toList()))
            .put("unfinished", new JsonArray()).put("purging", new JsonArray())),
        Map.entry(StoreApi.OUTBOX_CLAIM.address(), request -> new JsonObject().put("tasks", new JsonArray())));
    handlers.forEach((address, handler) -> consumers.add(Bus.consume(vertx, address,
        request -> Future.succeededFuture(handler.apply(request)))));
    return Future.all(consumers).mapEmpty();
  }

  private Job job(JsonObject request) {
    Job job = jobs.get(request.getString("id"));
    if (job == null) {
      throw FailureCode.NOT_FOUND.exception("no job " + request.getString("id"));
    }
    return job;
  }

  private JsonObject start(JsonObject request) {
    Job job = job(request);
    if (job.status.finished()) {
      throw FailureCode.CONFLICT.exception("job " + job.id + " has ended");
    }
    job.status = JobStatus.RUNNING;
    return new JsonObject().put("options", job.options.toJson()).put("job", job.view().toJson());
  }

  private JsonObject work(JsonObject request) {
    Job job = job(request);
    boolean open = !job.status.finished();
    int concurrency = open ? job.options.concurrency() : 0;
    int perHost = open ? job.options.perHost() : 0;
    return new JsonObject().put("status", job.status.wire()).put("concurrency", concurrency).put("perHost", perHost)
        .put("fairConcurrency", concurrency).put("fairPerHost", perHost).put("settled", true)
        .put("workers", open ? 1 : 0);
  }

  private JsonObject lease(JsonObject request) {
    Job job = job(request);
    int chunk = 0;
    while (chunk * CHUNK < job.urls.size() && job.chunks.containsKey(chunk)) {
      chunk++;
    }
    if (chunk * CHUNK >= job.urls.size()) {
      return new JsonObject().putNull("chunk");
    }
    job.chunks.put(chunk, false);
    JsonArray urls = new JsonArray();
    for (int seq = chunk * CHUNK; seq < Math.min(job.urls.size(), (chunk + 1) * CHUNK); seq++) {
      if (!job.results.containsKey(seq)) {
        urls.add(new UrlRef(seq, job.urls.get(seq)).toJson());
      }
    }
    return new JsonObject().put("chunk", chunk).put("urls", urls);
  }

  private JsonObject append(JsonObject request) {
    ResultBatch batch = ResultBatch.fromJson(request);
    Job job = jobs.get(batch.jobId());
    int stored = 0;
    for (FetchResult result : batch.results()) {
      job.sent.merge(result.seq(), 1, Integer::sum);
      if (job.results.putIfAbsent(result.seq(), result) == null) {
        stored++;
      }
    }
    JobView view = job.view();
    return new JsonObject().put("stored", stored).put("completed", view.completed())
        .put("succeeded", view.succeeded()).put("failed", view.failed());
  }

  /** As the real store: every URL without a result gets the outcome, the job the final status; CONFLICT once ended. */
  private JsonObject abandon(JsonObject request) {
    Job job = job(request);
    if (job.status.finished()) {
      throw FailureCode.CONFLICT.exception("job " + job.id + " is already " + job.status.wire());
    }
    Outcome outcome = Outcome.fromWire(request.getString("outcome"));
    for (int seq = 0; seq < job.urls.size(); seq++) {
      job.results.putIfAbsent(seq, new FetchResult(seq, null, outcome, null, 0, null, 0, 0, false, null));
    }
    job.status = JobStatus.fromWire(request.getString("status"));
    return job.view().toJson();
  }

  private JsonObject finish(JsonObject request) {
    Job job = job(request);
    JobStatus status = JobStatus.fromWire(request.getString("status"));
    // As the real store: an unfinished job whose URLs do not all have a result stays as it is, and says so.
    if (!job.status.finished() && (status != JobStatus.DONE || job.results.size() == job.urls.size())) {
      job.status = status;
    }
    return job.view().toJson();
  }
}
