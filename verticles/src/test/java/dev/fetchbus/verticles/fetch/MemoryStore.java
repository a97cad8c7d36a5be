package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.ResultBatch;
import dev.fetchbus.verticles.bus.UrlRef;
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
 * view answered as it is). It also counts
 * every result it was sent, so a test sees duplicates the idempotent append would hide.
 */
final class MemoryStore {
  /** One job: its URLs by seq, the results stored, and every result sent (stored or not). */
  static final class Job {
    final String id;
    final JobOptions options;
    final List<String> urls;
    final Map<Integer, FetchResult> results = new TreeMap<>();
    final Map<Integer, Integer> sent = new HashMap<>();
    JobStatus status = JobStatus.QUEUED;

    Job(String id, JobOptions options, List<String> urls) {
      this.id = id;
      this.options = options;
      this.urls = urls;
    }

    JobView view() {
      int succeeded = (int) results.values().stream().filter(r -> r.outcome() == Outcome.OK).count();
      return new JobView(id, status, urls.size(), results.size(), succeeded, results.size() - succeeded, 0,
          OffsetDateTime.now(), null, null, null);
    }
  }

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
        Map.entry(Addresses.STORE_JOBS_START, this::start),
        Map.entry(Addresses.STORE_JOBS_GET, request -> job(request).view().toJson()),
        Map.entry(Addresses.STORE_URLS_PENDING, this::pending),
        Map.entry(Addresses.STORE_RESULTS_APPEND, this::append),
        Map.entry(Addresses.STORE_JOBS_FINISH, this::finish),
        Map.entry(Addresses.STORE_JOBS_UNFINISHED, request -> new JsonObject().put("ids", new JsonArray())),
        Map.entry(Addresses.STORE_JOBS_RELEASE, request -> new JsonObject().put("released", 0)),
        Map.entry(Addresses.STORE_JOBS_PURGING, request -> new JsonObject().put("ids", new JsonArray())),
        Map.entry(Addresses.STORE_JOBS_KNOWN, request -> new JsonObject()
            .put("existing", new JsonArray(request.getJsonArray("ids").stream().filter(jobs::containsKey).toList()))
            .put("unfinished", new JsonArray())),
        Map.entry(Addresses.STORE_OUTBOX_CLAIM, request -> new JsonObject().put("tasks", new JsonArray())));
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

  private JsonObject pending(JsonObject request) {
    Job job = job(request);
    int after = request.getInteger("afterSeq");
    int limit = request.getInteger("limit");
    JsonArray urls = new JsonArray();
    for (int seq = Math.max(0, after + 1); seq < job.urls.size() && urls.size() < limit; seq++) {
      if (!job.results.containsKey(seq)) {
        urls.add(new UrlRef(seq, job.urls.get(seq)).toJson());
      }
    }
    return new JsonObject().put("urls", urls);
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
    return new JsonObject().put("stored", stored);
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
