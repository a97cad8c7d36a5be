package dev.fetchbus.verticles.store.api;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.Codec;
import dev.fetchbus.verticles.bus.Endpoint;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobId;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobSpec;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.ResultBatch;
import dev.fetchbus.verticles.bus.Upload;
import dev.fetchbus.verticles.bus.UrlRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's contract: jobs, their URLs and results, the outbox and uploads, kept in PostgreSQL by the store verticle
 * and asked for by everyone else through {@link StoreClient}. Every method may fail with UNAVAILABLE (the database
 * cannot be reached: at once, not after a timeout), OVERLOADED (no pooled connection came free within
 * {@code pg.connectTimeoutMs}), BAD_INPUT (a malformed request) or INTERNAL; the others each method names.
 */
public interface StoreApi {
  Codec<String> UPLOAD_ID = Codec.field("id", String.class);
  Codec<JobView> JOB = Codec.of(JobView::toJson, JobView::fromJson);
  Codec<Upload> UPLOAD = Codec.of(Upload::toJson, Upload::fromJson);

  /**
   * A job and its URL list, stored in one transaction. With an idempotency key already used for the same request, the
   * earlier job comes back ({@code replayed}) and nothing is written; CONFLICT when the key was used for another one.
   */
  Endpoint<NewJob, Created> JOBS_CREATE = Endpoint.of("fetchbus.store.jobs.create",
      Codec.of(NewJob::toJson, NewJob::fromJson), Codec.of(Created::toJson, Created::fromJson));
  /**
   * One job as readers see it: a {@link JobView}, and for an unfinished job the fetch nodes on it ("nodes": [{"node",
   * "chunks", "leaseLeftMs", "silent"}]) and "waiting" when one of them went silent holding chunks. NOT_FOUND.
   */
  Endpoint<String, JsonObject> JOBS_GET = Endpoint.of("fetchbus.store.jobs.get", Codec.JOB_ID, Codec.DOCUMENT)
      // Bridge clients read a job after subscribing to its progress, as the SSE route does.
      .openToBridge();
  /** Jobs newest first, a keyset page. */
  Endpoint<JobQuery, List<JobView>> JOBS_LIST = Endpoint.of("fetchbus.store.jobs.list",
      Codec.of(JobQuery::toJson, JobQuery::fromJson), Codec.list("jobs", JOB));
  /**
   * How a job's stored results ended: {"id", "outcomes": {outcome: n}, "slowestHosts": [host], "failingHosts":
   * [host]}, a host being {"host", "results", "failed", "meanMs"}. NOT_FOUND.
   */
  Endpoint<SummaryQuery, JsonObject> JOBS_SUMMARY = Endpoint.of("fetchbus.store.jobs.summary",
      Codec.of(SummaryQuery::toJson, SummaryQuery::fromJson), Codec.DOCUMENT);
  /**
   * The first step of a purge: marks an ended job as being purged (from then on readers do not see it, and its
   * idempotency key is free); again for a job already marked. NOT_FOUND, CONFLICT while the job has not ended.
   */
  Endpoint<String, Void> JOBS_PURGE_BEGIN = Endpoint.of("fetchbus.store.jobs.purge.begin", Codec.JOB_ID,
      Codec.flag("purging"));
  /** The last step of a purge: deletes a marked job's rows. NOT_FOUND, CONFLICT when its purge has not begun. */
  Endpoint<String, Void> JOBS_PURGE = Endpoint.of("fetchbus.store.jobs.purge", Codec.JOB_ID, Codec.flag("purged"));
  /** Up to {@code limit} jobs whose purge began and did not finish, oldest first. */
  Endpoint<Integer, List<String>> JOBS_PURGING = Endpoint.of("fetchbus.store.jobs.purging",
      Codec.field("limit", Integer.class), Codec.strings("ids"));
  /** Which of these job ids (at most 5,000) have a row, being purged included. */
  Endpoint<List<String>, KnownJobs> JOBS_KNOWN = Endpoint.of("fetchbus.store.jobs.known", Codec.strings("ids"),
      Codec.of(KnownJobs::toJson, KnownJobs::fromJson));
  /**
   * The unfinished jobs the fetch node {@code owner} may join: with a chunk nobody holds (or every chunk done and the
   * job not finished yet), not worked on by it, with room for another node.
   */
  Endpoint<String, List<String>> JOBS_UNFINISHED = Endpoint.of("fetchbus.store.jobs.unfinished",
      Codec.field("owner", String.class), Codec.strings("ids"));
  /** Marks a job running and returns its options and state. NOT_FOUND, CONFLICT when it has finished. */
  Endpoint<String, JobStart> JOBS_START = Endpoint.of("fetchbus.store.jobs.start", Codec.JOB_ID,
      Codec.of(JobStart::toJson, JobStart::fromJson));
  /**
   * Joins a fetch node to a job's workers, or renews its place and chunk leases, and hands it its share of the job's
   * limits. NOT_FOUND.
   */
  Endpoint<WorkRequest, WorkGrant> JOBS_WORK = Endpoint.of("fetchbus.store.jobs.work",
      Codec.of(WorkRequest::toJson, WorkRequest::fromJson), Codec.of(WorkGrant::toJson, WorkGrant::fromJson));
  /** Gives up a fetch node's places and chunk leases, on one job or on all; replies on how many jobs. */
  Endpoint<Release, Integer> JOBS_RELEASE = Endpoint.of("fetchbus.store.jobs.release",
      Codec.of(Release::toJson, Release::fromJson), Codec.field("released", Integer.class));
  /** Leases the job's first free chunk, with its URLs that have no result yet. */
  Endpoint<ChunkRequest, ChunkLease> CHUNKS_LEASE = Endpoint.of("fetchbus.store.chunks.lease",
      Codec.of(ChunkRequest::toJson, ChunkRequest::fromJson), Codec.of(ChunkLease::toJson, ChunkLease::fromJson));
  /** Every URL of a chunk has a stored result. */
  Endpoint<ChunkDone, Void> CHUNKS_DONE = Endpoint.of("fetchbus.store.chunks.done",
      Codec.of(ChunkDone::toJson, ChunkDone::fromJson), Codec.NONE);
  /**
   * Sets a job's final status; DONE only once every URL has a result. When nothing changes (the job has ended, or
   * results are missing) the job comes back as it is.
   */
  Endpoint<JobEnd, JobView> JOBS_FINISH = Endpoint.of("fetchbus.store.jobs.finish",
      Codec.of(JobEnd::toJson, JobEnd::fromJson), JOB);
  /**
   * Ends an unfinished job early: every URL without a result gets the end's outcome, the job its status. NOT_FOUND,
   * CONFLICT when it has finished.
   */
  Endpoint<JobEnd, JobView> JOBS_ABANDON = Endpoint.of("fetchbus.store.jobs.abandon",
      Codec.of(JobEnd::toJson, JobEnd::fromJson), JOB);
  /** Appends a batch of results (columns), idempotently; replies with the job's counters after it. NOT_FOUND. */
  Endpoint<ResultBatch, Stored> RESULTS_APPEND = Endpoint.of("fetchbus.store.results.append",
      Codec.of(ResultBatch::toJson, ResultBatch::fromJson), Codec.of(Stored::toJson, Stored::fromJson));
  /** A keyset page of stored results. */
  Endpoint<ResultQuery, List<FetchResult>> RESULTS_PAGE = Endpoint.of("fetchbus.store.results.page",
      Codec.of(ResultQuery::toJson, ResultQuery::fromJson), Codec.list("results", Codec.of(FetchResult::toJson,
          FetchResult::fromJson)));
  /** Claims due outbox tasks of one kind for a lease: a claimed task comes back only once its lease has ended. */
  Endpoint<OutboxClaim, List<OutboxTask>> OUTBOX_CLAIM = Endpoint.of("fetchbus.store.outbox.claim",
      Codec.of(OutboxClaim::toJson, OutboxClaim::fromJson), Codec.list("tasks", Codec.of(OutboxTask::toJson,
          OutboxTask::fromJson)));
  /** A task is done ({@code error} null), or given up ({@code error} says why). */
  Endpoint<TaskDone, Void> OUTBOX_DONE = Endpoint.of("fetchbus.store.outbox.done",
      Codec.of(TaskDone::toJson, TaskDone::fromJson), Codec.NONE);
  /** A task failed; it is due again after its delay. */
  Endpoint<TaskLater, Void> OUTBOX_LATER = Endpoint.of("fetchbus.store.outbox.later",
      Codec.of(TaskLater::toJson, TaskLater::fromJson), Codec.NONE);
  /**
   * The connection pool and the outbox now, for the monitor: {"size", "maxSize", "inUse", "waiting",
   * "outboxLagSeconds": {kind: seconds}} ("inUse", "waiting" and the lag are null without metrics).
   */
  Endpoint<Void, JsonObject> MONITOR = Endpoint.of("fetchbus.store.monitor", Codec.NONE, Codec.DOCUMENT);
  /** Records a complete upload, its file already in place (no "createdAt" yet). */
  Endpoint<Upload, Upload> UPLOADS_CREATE = Endpoint.of("fetchbus.store.uploads.create", UPLOAD, UPLOAD);
  /** One upload. NOT_FOUND. */
  Endpoint<String, Upload> UPLOADS_GET = Endpoint.of("fetchbus.store.uploads.get", UPLOAD_ID, UPLOAD);
  /** Deletes an upload's row (its file is the caller's). NOT_FOUND. */
  Endpoint<String, Upload> UPLOADS_DELETE = Endpoint.of("fetchbus.store.uploads.delete", UPLOAD_ID, UPLOAD);
  /** Which of these upload ids (at most 5,000) have a row. */
  Endpoint<List<String>, List<String>> UPLOADS_KNOWN = Endpoint.of("fetchbus.store.uploads.known",
      Codec.strings("ids"), Codec.strings("existing"));
  /** A keyset page of the ids of uploads not marked missing, in id order. */
  Endpoint<UploadPage, List<String>> UPLOADS_IDS = Endpoint.of("fetchbus.store.uploads.ids",
      Codec.of(UploadPage::toJson, UploadPage::fromJson), Codec.strings("ids"));
  /**
   * Marks uploads whose file has vanished (their content is then 410 Gone); replies how many were not marked
   * before.
   */
  Endpoint<List<String>, Integer> UPLOADS_MISSING = Endpoint.of("fetchbus.store.uploads.missing",
      Codec.strings("ids"), Codec.field("marked", Integer.class));
  /** Answers once the database does. */
  Endpoint<Void, Void> PING = Endpoint.of("fetchbus.store.ping", Codec.NONE, Codec.NONE);

  List<Endpoint<?, ?>> ENDPOINTS = List.of(JOBS_CREATE, JOBS_GET, JOBS_LIST, JOBS_SUMMARY, JOBS_PURGE_BEGIN,
      JOBS_PURGE, JOBS_PURGING, JOBS_KNOWN, JOBS_UNFINISHED, JOBS_START, JOBS_WORK, JOBS_RELEASE, CHUNKS_LEASE,
      CHUNKS_DONE, JOBS_FINISH, JOBS_ABANDON, RESULTS_APPEND, RESULTS_PAGE, OUTBOX_CLAIM, OUTBOX_DONE, OUTBOX_LATER,
      MONITOR, UPLOADS_CREATE, UPLOADS_GET, UPLOADS_DELETE, UPLOADS_KNOWN, UPLOADS_IDS, UPLOADS_MISSING, PING);

  Future<Created> create(NewJob job);

  Future<JsonObject> view(String id);

  Future<List<JobView>> list(JobQuery query);

  Future<JsonObject> summary(SummaryQuery query);

  Future<Void> beginPurge(String id);

  Future<Void> purge(String id);

  Future<List<String>> purging(Integer limit);

  Future<KnownJobs> known(List<String> ids);

  Future<List<String>> unfinished(String owner);

  Future<JobStart> start(String id);

  Future<WorkGrant> work(WorkRequest request);

  Future<Integer> release(Release release);

  Future<ChunkLease> leaseChunk(ChunkRequest request);

  Future<Void> chunkDone(ChunkDone done);

  Future<JobView> finish(JobEnd end);

  Future<JobView> abandon(JobEnd end);

  Future<Stored> append(ResultBatch batch);

  Future<List<FetchResult>> results(ResultQuery query);

  Future<List<OutboxTask>> claim(OutboxClaim claim);

  Future<Void> taskDone(TaskDone done);

  Future<Void> taskLater(TaskLater later);

  Future<JsonObject> monitor();

  Future<Upload> createUpload(Upload upload);

  Future<Upload> upload(String id);

  Future<Upload> deleteUpload(String id);

  Future<List<String>> knownUploads(List<String> ids);

  Future<List<String>> uploadIds(UploadPage page);

  Future<Integer> markUploadsMissing(List<String> ids);

  Future<Void> ping();

  /** Asks the store over the event bus, each request with the bus's timeout. */
  static StoreApi client(Bus bus) {
    return new StoreClient(bus);
  }

  /** The store verticle's consumers: each address answered by the matching method of {@code store}. */
  static List<Endpoint.Binding> bindings(StoreApi store) {
    return List.of(JOBS_CREATE.bind(store::create), JOBS_GET.bind(store::view), JOBS_LIST.bind(store::list),
        JOBS_SUMMARY.bind(store::summary), JOBS_PURGE_BEGIN.bind(store::beginPurge), JOBS_PURGE.bind(store::purge),
        JOBS_PURGING.bind(store::purging), JOBS_KNOWN.bind(store::known), JOBS_UNFINISHED.bind(store::unfinished),
        JOBS_START.bind(store::start), JOBS_WORK.bind(store::work), JOBS_RELEASE.bind(store::release),
        CHUNKS_LEASE.bind(store::leaseChunk), CHUNKS_DONE.bind(store::chunkDone), JOBS_FINISH.bind(store::finish),
        JOBS_ABANDON.bind(store::abandon), RESULTS_APPEND.bind(store::append), RESULTS_PAGE.bind(store::results),
        OUTBOX_CLAIM.bind(store::claim), OUTBOX_DONE.bind(store::taskDone), OUTBOX_LATER.bind(store::taskLater),
        MONITOR.bind(nothing -> store.monitor()), UPLOADS_CREATE.bind(store::createUpload),
        UPLOADS_GET.bind(store::upload), UPLOADS_DELETE.bind(store::deleteUpload),
        UPLOADS_KNOWN.bind(store::knownUploads), UPLOADS_IDS.bind(store::uploadIds),
        UPLOADS_MISSING.bind(store::markUploadsMissing), PING.bind(nothing -> store.ping()));
  }

  /** A job to store, with the submitter's idempotency key (or null). */
  record NewJob(JobSpec spec, String idempotencyKey) {
    public JsonObject toJson() {
      return spec.toJson().put("idempotencyKey", idempotencyKey);
    }

    public static NewJob fromJson(JsonObject json) {
      return new NewJob(JobSpec.fromJson(json), json.getString("idempotencyKey"));
    }
  }

  /** The stored job; {@code replayed}: it is the idempotency key's earlier job. */
  record Created(JobView job, boolean replayed) {
    public JsonObject toJson() {
      return job.toJson().put("replayed", replayed);
    }

    public static Created fromJson(JsonObject json) {
      return new Created(JobView.fromJson(json), json.getBoolean("replayed"));
    }
  }

  /** Jobs newest first: of one status (or all when null), after the job id {@code after} (or from the newest). */
  record JobQuery(JobStatus status, String after, int limit) {
    public JsonObject toJson() {
      return new JsonObject().put("status", status == null ? null : status.wire()).put("after", after)
          .put("limit", limit);
    }

    public static JobQuery fromJson(JsonObject json) {
      String status = json.getString("status");
      String after = json.getString("after");
      return new JobQuery(status == null ? null : JobStatus.fromWire(status),
          after == null ? null : JobId.canonical(after), json.getInteger("limit", 1_000));
    }
  }

  /** A job's summary with the {@code hosts} slowest and most failing hosts. */
  record SummaryQuery(String id, int hosts) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("hosts", hosts);
    }

    public static SummaryQuery fromJson(JsonObject json) {
      return new SummaryQuery(JobId.canonical(json.getString("id")), json.getInteger("hosts", 10));
    }
  }

  /** Of the ids asked about: those with a row, those queued or running, those being purged (both within existing). */
  record KnownJobs(List<String> existing, List<String> unfinished, List<String> purging) {
    public JsonObject toJson() {
      return new JsonObject().put("existing", new JsonArray(existing)).put("unfinished", new JsonArray(unfinished))
          .put("purging", new JsonArray(purging));
    }

    public static KnownJobs fromJson(JsonObject json) {
      return new KnownJobs(strings(json.getJsonArray("existing")), strings(json.getJsonArray("unfinished")),
          strings(json.getJsonArray("purging")));
    }
  }

  /** A job marked running: its options and its state. */
  record JobStart(JobOptions options, JobView job) {
    public JsonObject toJson() {
      return new JsonObject().put("options", options.toJson()).put("job", job.toJson());
    }

    public static JobStart fromJson(JsonObject json) {
      return new JobStart(JobOptions.fromJson(json.getJsonObject("options")),
          JobView.fromJson(json.getJsonObject("job")));
    }
  }

  /**
   * A fetch node ({@code owner}, the lease id; {@code node}, its name) joining a job or renewing its place for
   * {@code leaseMs}, with what it has in flight (all, and at its busiest host) and the chunks it works on.
   */
  record WorkRequest(String id, String owner, String node, long leaseMs, int inFlight, int hostInFlight,
                     List<Integer> chunks) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("owner", owner).put("node", node).put("leaseMs", leaseMs)
          .put("inFlight", inFlight).put("hostInFlight", hostInFlight).put("chunks", new JsonArray(chunks));
    }

    public static WorkRequest fromJson(JsonObject json) {
      return new WorkRequest(JobId.canonical(json.getString("id")), leaseOwner(json), json.getString("node", "unnamed"),
          json.getLong("leaseMs"), json.getInteger("inFlight", 0), json.getInteger("hostInFlight", 0),
          json.getJsonArray("chunks", new JsonArray()).stream().map(Integer.class::cast).toList());
    }
  }

  /**
   * A node's share of a job's limits: what it may use now ({@code concurrency}, {@code perHost}), its fair share,
   * whether its grant is its fair share ({@code settled}), how many nodes work on the job ({@code workers}: 0, not
   * admitted, or the job has ended: {@code status}), and which of its chunks another node took ({@code lost}).
   */
  record WorkGrant(JobStatus status, int concurrency, int perHost, int fairConcurrency, int fairPerHost,
                   boolean settled, int workers, List<Integer> lost) {
    public JsonObject toJson() {
      return new JsonObject().put("status", status.wire()).put("concurrency", concurrency).put("perHost", perHost)
          .put("fairConcurrency", fairConcurrency).put("fairPerHost", fairPerHost).put("settled", settled)
          .put("workers", workers).put("lost", new JsonArray(lost));
    }

    public static WorkGrant fromJson(JsonObject json) {
      return new WorkGrant(JobStatus.fromWire(json.getString("status")), json.getInteger("concurrency"),
          json.getInteger("perHost"), json.getInteger("fairConcurrency"), json.getInteger("fairPerHost"),
          json.getBoolean("settled"), json.getInteger("workers"),
          json.getJsonArray("lost", new JsonArray()).stream().map(Integer.class::cast).toList());
    }

    public boolean admitted() {
      return workers > 0 && !status.finished();
    }
  }

  /** A fetch node giving up its place and chunk leases on job {@code id}, or on every job when it is null. */
  record Release(String owner, String id) {
    public JsonObject toJson() {
      return new JsonObject().put("owner", owner).put("id", id);
    }

    public static Release fromJson(JsonObject json) {
      return new Release(leaseOwner(json), json.getString("id") == null ? null : JobId.canonical(json.getString("id")));
    }
  }

  /** A fetch node asking for a chunk of job {@code id}, leased for {@code leaseMs}. */
  record ChunkRequest(String id, String owner, long leaseMs) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("owner", owner).put("leaseMs", leaseMs);
    }

    public static ChunkRequest fromJson(JsonObject json) {
      return new ChunkRequest(JobId.canonical(json.getString("id")), leaseOwner(json), json.getLong("leaseMs"));
    }
  }

  /** A leased chunk's number and its URLs without a result; {@code chunk} null when no chunk was free. */
  record ChunkLease(Integer chunk, List<UrlRef> urls) {
    public JsonObject toJson() {
      JsonArray list = new JsonArray(new ArrayList<>(urls.size()));
      urls.forEach(url -> list.add(url.toJson()));
      return new JsonObject().put("chunk", chunk).put("urls", list);
    }

    public static ChunkLease fromJson(JsonObject json) {
      JsonArray list = json.getJsonArray("urls", new JsonArray());
      List<UrlRef> urls = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        urls.add(UrlRef.fromJson(list.getJsonObject(i)));
      }
      return new ChunkLease(json.getInteger("chunk"), urls);
    }
  }

  record ChunkDone(String id, int chunk) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("chunk", chunk);
    }

    public static ChunkDone fromJson(JsonObject json) {
      return new ChunkDone(JobId.canonical(json.getString("id")), json.getInteger("chunk"));
    }
  }

  /**
   * A job's end: its final {@code status}, and for a job ended early the {@code outcome} its URLs without a result
   * get (null when it finishes with every URL done).
   */
  record JobEnd(String id, JobStatus status, Outcome outcome) {
    public JobEnd {
      if (!status.finished()) {
        throw new IllegalArgumentException("'" + status.wire() + "' is not a final status");
      }
    }

    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("status", status.wire())
          .put("outcome", outcome == null ? null : outcome.wire());
    }

    public static JobEnd fromJson(JsonObject json) {
      String outcome = json.getString("outcome");
      return new JobEnd(JobId.canonical(json.getString("id")), JobStatus.fromWire(json.getString("status")),
          outcome == null ? null : Outcome.fromWire(outcome));
    }
  }

  /** How many of a batch were new, and the job's counters after it. */
  record Stored(long stored, int completed, int succeeded, int failed) {
    public JsonObject toJson() {
      return new JsonObject().put("stored", stored).put("completed", completed).put("succeeded", succeeded)
          .put("failed", failed);
    }

    public static Stored fromJson(JsonObject json) {
      return new Stored(json.getLong("stored"), json.getInteger("completed"), json.getInteger("succeeded"),
          json.getInteger("failed"));
    }
  }

  /** Results after {@code afterSeq}, at most {@code limit}; {@code outcome} is "all", "error" or one outcome. */
  record ResultQuery(String id, int afterSeq, int limit, String outcome) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("afterSeq", afterSeq).put("limit", limit).put("outcome", outcome);
    }

    public static ResultQuery fromJson(JsonObject json) {
      return new ResultQuery(JobId.canonical(json.getString("id")), json.getInteger("afterSeq", -1),
          json.getInteger("limit", 1_000), json.getString("outcome", "all"));
    }
  }

  /** Up to {@code limit} due tasks of {@code kind} ("callback"), leased for {@code leaseMs}. */
  record OutboxClaim(String kind, int limit, long leaseMs) {
    public JsonObject toJson() {
      return new JsonObject().put("kind", kind).put("limit", limit).put("leaseMs", leaseMs);
    }

    public static OutboxClaim fromJson(JsonObject json) {
      return new OutboxClaim(json.getString("kind"), json.getInteger("limit", 1_000), json.getLong("leaseMs"));
    }
  }

  /** A claimed outbox task: its job, how often it was tried, when it was made (epoch ms), where it goes. */
  record OutboxTask(long id, String jobId, int attempts, long createdAt, String callbackUrl) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("jobId", jobId).put("attempts", attempts).put("createdAt", createdAt)
          .put("callbackUrl", callbackUrl);
    }

    public static OutboxTask fromJson(JsonObject json) {
      return new OutboxTask(json.getLong("id"), json.getString("jobId"), json.getInteger("attempts"),
          json.getLong("createdAt"), json.getString("callbackUrl"));
    }
  }

  record TaskDone(long id, String error) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("error", error);
    }

    public static TaskDone fromJson(JsonObject json) {
      return new TaskDone(json.getLong("id"), json.getString("error"));
    }
  }

  record TaskLater(long id, long delayMs, String error) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("delayMs", delayMs).put("error", error);
    }

    public static TaskLater fromJson(JsonObject json) {
      return new TaskLater(json.getLong("id"), json.getLong("delayMs"), json.getString("error"));
    }
  }

  /** Upload ids after {@code after} (or from the first when null), at most {@code limit}. */
  record UploadPage(String after, int limit) {
    public JsonObject toJson() {
      return new JsonObject().put("after", after).put("limit", limit);
    }

    public static UploadPage fromJson(JsonObject json) {
      return new UploadPage(json.getString("after"), json.getInteger("limit", 1_000));
    }
  }

  private static String leaseOwner(JsonObject json) {
    String owner = json.getString("owner");
    if (owner == null || owner.isBlank()) {
      throw new IllegalArgumentException("'owner' (the fetch node's lease id) is required");
    }
    return owner;
  }

  private static List<String> strings(JsonArray array) {
    return array.stream().map(String.class::cast).toList();
  }
}
