package dev.fetchbus.verticles.store;

import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobId;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.ResultBatch;
import dev.fetchbus.verticles.bus.Upload;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The store's contract carried out on PostgreSQL: requests bounded (pages, id lists, summary hosts) and handed to
 * {@link JobStore} and {@link UploadStore}.
 */
final class StoreService implements StoreApi {
  static final int MAX_PAGE = 5_000;
  private static final int MAX_SUMMARY_HOSTS = 100;

  private final JobStore jobs;
  private final UploadStore uploads;
  private final DatabasePing ping;
  private final Supplier<JsonObject> monitor;

  StoreService(JobStore jobs, UploadStore uploads, DatabasePing ping, Supplier<JsonObject> monitor) {
    this.jobs = jobs;
    this.uploads = uploads;
    this.ping = ping;
    this.monitor = monitor;
  }

  @Override
  public Future<Created> create(NewJob job) {
    return jobs.create(job.spec(), job.idempotencyKey());
  }

  @Override
  public Future<JsonObject> view(String id) {
    return jobs.view(JobId.parse(id));
  }

  @Override
  public Future<List<JobView>> list(JobQuery query) {
    return jobs.list(query.status(), query.after() == null ? null : JobId.parse(query.after()), page(query.limit()));
  }

  @Override
  public Future<JsonObject> summary(SummaryQuery query) {
    return jobs.summary(JobId.parse(query.id()), Math.max(1, Math.min(query.hosts(), MAX_SUMMARY_HOSTS)));
  }

  @Override
  public Future<Void> beginPurge(String id) {
    return jobs.beginPurge(JobId.parse(id));
  }

  @Override
  public Future<Void> purge(String id) {
    return jobs.purge(JobId.parse(id));
  }

  @Override
  public Future<List<String>> purging(Integer limit) {
    return jobs.purging(page(limit));
  }

  @Override
  public Future<KnownJobs> known(List<String> ids) {
    return jobs.known(uuids(ids));
  }

  @Override
  public Future<List<String>> unfinished(String owner) {
    return jobs.openJobs(owner);
  }

  @Override
  public Future<JobStart> start(String id) {
    return jobs.start(JobId.parse(id));
  }

  @Override
  public Future<WorkGrant> work(WorkRequest request) {
    return jobs.work(request);
  }

  @Override
  public Future<Integer> release(Release release) {
    return jobs.release(release.owner(), release.id() == null ? null : JobId.parse(release.id()));
  }

  @Override
  public Future<ChunkLease> leaseChunk(ChunkRequest request) {
    return jobs.leaseChunk(JobId.parse(request.id()), request.owner(), request.leaseMs());
  }

  @Override
  public Future<Void> chunkDone(ChunkDone done) {
    return jobs.chunkDone(JobId.parse(done.id()), done.chunk());
  }

  @Override
  public Future<JobView> finish(JobEnd end) {
    return jobs.finish(JobId.parse(end.id()), end.status());
  }

  @Override
  public Future<JobView> abandon(JobEnd end) {
    if (end.outcome() == null) {
      throw FailureCode.BAD_INPUT.exception("ending job " + end.id() + " early needs the outcome of its other URLs");
    }
    return jobs.abandon(JobId.parse(end.id()), end.status(), end.outcome());
  }

  @Override
  public Future<Stored> append(ResultBatch batch) {
    return jobs.append(JobId.parse(batch.jobId()), batch.results());
  }

  @Override
  public Future<List<FetchResult>> results(ResultQuery query) {
    return jobs.results(JobId.parse(query.id()), query.afterSeq(), page(query.limit()), query.outcome());
  }

  @Override
  public Future<List<OutboxTask>> claim(OutboxClaim claim) {
    return jobs.claim(claim.kind(), page(claim.limit()), claim.leaseMs());
  }

  @Override
  public Future<Void> taskDone(TaskDone done) {
    return jobs.taskDone(done.id(), done.error());
  }

  @Override
  public Future<Void> taskLater(TaskLater later) {
    return jobs.taskLater(later.id(), later.delayMs(), later.error());
  }

  @Override
  public Future<JsonObject> monitor() {
    return Future.succeededFuture(monitor.get());
  }

  @Override
  public Future<Upload> createUpload(Upload upload) {
    return uploads.create(upload);
  }

  @Override
  public Future<Upload> upload(String id) {
    return uploads.get(UUID.fromString(id));
  }

  @Override
  public Future<Upload> deleteUpload(String id) {
    return uploads.delete(UUID.fromString(id));
  }

  @Override
  public Future<List<String>> knownUploads(List<String> ids) {
    return uploads.known(uuids(ids));
  }

  @Override
  public Future<List<String>> uploadIds(UploadPage page) {
    return uploads.presentIds(page.after() == null ? null : UUID.fromString(page.after()), page(page.limit()));
  }

  @Override
  public Future<Integer> markUploadsMissing(List<String> ids) {
    return uploads.markMissing(uuids(ids));
  }

  @Override
  public Future<Void> ping() {
    return ping.ping();
  }

  /** At most a page of UUIDs; senders check ids first, so one that is not a UUID is a malformed request. */
  private static UUID[] uuids(List<String> ids) {
    if (ids.size() > MAX_PAGE) {
      throw FailureCode.BAD_INPUT.exception("at most " + MAX_PAGE + " ids at a time");
    }
    return ids.stream().map(UUID::fromString).toArray(UUID[]::new);
  }

  private static int page(int limit) {
    return Math.max(1, Math.min(MAX_PAGE, limit));
  }
}
