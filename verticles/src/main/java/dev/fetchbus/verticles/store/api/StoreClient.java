package dev.fetchbus.verticles.store.api;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.ResultBatch;
import dev.fetchbus.verticles.bus.Upload;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The store asked over the event bus, each request with the {@link Bus}'s timeout. */
final class StoreClient implements StoreApi {
  private final Bus bus;

  StoreClient(Bus bus) {
    this.bus = bus;
  }

  @Override
  public Future<Created> create(NewJob job) {
    return StoreApi.JOBS_CREATE.ask(bus, job);
  }

  @Override
  public Future<JsonObject> view(String id) {
    return StoreApi.JOBS_GET.ask(bus, id);
  }

  @Override
  public Future<List<JobView>> list(JobQuery query) {
    return StoreApi.JOBS_LIST.ask(bus, query);
  }

  @Override
  public Future<JsonObject> summary(SummaryQuery query) {
    return StoreApi.JOBS_SUMMARY.ask(bus, query);
  }

  @Override
  public Future<Void> beginPurge(String id) {
    return StoreApi.JOBS_PURGE_BEGIN.ask(bus, id);
  }

  @Override
  public Future<Void> purge(String id) {
    return StoreApi.JOBS_PURGE.ask(bus, id);
  }

  @Override
  public Future<List<String>> purging(Integer limit) {
    return StoreApi.JOBS_PURGING.ask(bus, limit);
  }

  @Override
  public Future<KnownJobs> known(List<String> ids) {
    return StoreApi.JOBS_KNOWN.ask(bus, ids);
  }

  @Override
  public Future<List<String>> unfinished(String owner) {
    return StoreApi.JOBS_UNFINISHED.ask(bus, owner);
  }

  @Override
  public Future<JobStart> start(String id) {
    return StoreApi.JOBS_START.ask(bus, id);
  }

  @Override
  public Future<WorkGrant> work(WorkRequest request) {
    return StoreApi.JOBS_WORK.ask(bus, request);
  }

  @Override
  public Future<Integer> release(Release release) {
    return StoreApi.JOBS_RELEASE.ask(bus, release);
  }

  @Override
  public Future<ChunkLease> leaseChunk(ChunkRequest request) {
    return StoreApi.CHUNKS_LEASE.ask(bus, request);
  }

  @Override
  public Future<Void> chunkDone(ChunkDone done) {
    return StoreApi.CHUNKS_DONE.ask(bus, done);
  }

  @Override
  public Future<JobView> finish(JobEnd end) {
    return StoreApi.JOBS_FINISH.ask(bus, end);
  }

  @Override
  public Future<JobView> abandon(JobEnd end) {
    return StoreApi.JOBS_ABANDON.ask(bus, end);
  }

  @Override
  public Future<Stored> append(ResultBatch batch) {
    return StoreApi.RESULTS_APPEND.ask(bus, batch);
  }

  @Override
  public Future<List<FetchResult>> results(ResultQuery query) {
    return StoreApi.RESULTS_PAGE.ask(bus, query);
  }

  @Override
  public Future<List<OutboxTask>> claim(OutboxClaim claim) {
    return StoreApi.OUTBOX_CLAIM.ask(bus, claim);
  }

  @Override
  public Future<Void> taskDone(TaskDone done) {
    return StoreApi.OUTBOX_DONE.ask(bus, done);
  }

  @Override
  public Future<Void> taskLater(TaskLater later) {
    return StoreApi.OUTBOX_LATER.ask(bus, later);
  }

  @Override
  public Future<JsonObject> monitor() {
    return StoreApi.MONITOR.ask(bus, null);
  }

  @Override
  public Future<Upload> createUpload(Upload upload) {
    return StoreApi.UPLOADS_CREATE.ask(bus, upload);
  }

  @Override
  public Future<Upload> upload(String id) {
    return StoreApi.UPLOADS_GET.ask(bus, id);
  }

  @Override
  public Future<Upload> deleteUpload(String id) {
    return StoreApi.UPLOADS_DELETE.ask(bus, id);
  }

  @Override
  public Future<List<String>> knownUploads(List<String> ids) {
    return StoreApi.UPLOADS_KNOWN.ask(bus, ids);
  }

  @Override
  public Future<List<String>> uploadIds(UploadPage page) {
    return StoreApi.UPLOADS_IDS.ask(bus, page);
  }

  @Override
  public Future<Integer> markUploadsMissing(List<String> ids) {
    return StoreApi.UPLOADS_MISSING.ask(bus, ids);
  }

  @Override
  public Future<Void> ping() {
    return StoreApi.PING.ask(bus, null);
  }
}
