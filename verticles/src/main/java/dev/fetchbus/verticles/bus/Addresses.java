package dev.fetchbus.verticles.bus;

/**
 * Every event-bus address Fetchbus uses, in one place. Shapes are documented in docs/eventbus.yaml.
 */
public final class Addresses {
  /**
   * Store: create a job and its URL list in one transaction. Request {@link JobSpec} plus an optional
   * "idempotencyKey"; reply {@link JobView} plus "replayed" (true: the key's earlier job); CONFLICT when the key
   * was used for another request.
   */
  public static final String STORE_JOBS_CREATE = "fetchbus.store.jobs.create";
  /** Store: read one job. Request {"id"}, reply {@link JobView}; fails NOT_FOUND. */
  public static final String STORE_JOBS_GET = "fetchbus.store.jobs.get";
  /**
   * Store: jobs newest first. Request {"status"?, "after"? (job id cursor), "limit"}, reply {"jobs": [JobView]}.
   */
  public static final String STORE_JOBS_LIST = "fetchbus.store.jobs.list";
  /**
   * Store: how a job's stored results ended. Request {"id", "hosts" (how many hosts per list)}, reply {"id",
   * "outcomes": {outcome: n}, "slowestHosts": [host], "failingHosts": [host]}, a host being {"host", "results",
   * "failed", "meanMs"}; fails NOT_FOUND.
   */
  public static final String STORE_JOBS_SUMMARY = "fetchbus.store.jobs.summary";
  /**
   * Store: the first step of a purge: mark an ended job as being purged (from then on reads do not see it, and its
   * idempotency key is free). Again for a job already marked. Request {"id"}, reply {"purging": true}; NOT_FOUND,
   * CONFLICT while the job has not ended.
   */
  public static final String STORE_JOBS_PURGE_BEGIN = "fetchbus.store.jobs.purge.begin";
  /**
   * Store: the last step of a purge: delete a job marked as being purged, with its URLs, results and outbox tasks.
   * Request {"id"}, reply {"purged": true}; NOT_FOUND, CONFLICT when its purge has not begun.
   */
  public static final String STORE_JOBS_PURGE = "fetchbus.store.jobs.purge";
  /** Store: jobs whose purge began and did not finish, oldest first. Request {"limit"}, reply {"ids": [...]}. */
  public static final String STORE_JOBS_PURGING = "fetchbus.store.jobs.purging";
  /**
   * Store: which of these job ids have a row (being purged included). Request {"ids": [...]} (at most 5000), reply
   * {"existing": [...], "unfinished": [...], "purging": [...]} (unfinished: queued or running; purging: marked as being
   * purged; both subsets of existing).
   */
  public static final String STORE_JOBS_KNOWN = "fetchbus.store.jobs.known";
  /**
   * Store: the unfinished jobs a fetch node may join: with a chunk nobody holds (or every chunk done and the job not
   * yet finished), not worked on by the caller, with room for another node. Request {"owner"}, reply {"ids": [...]}.
   */
  public static final String STORE_JOBS_UNFINISHED = "fetchbus.store.jobs.unfinished";
  /**
   * Store: mark a job running. Request {"id"}, reply {"options": JobOptions, "job": JobView}; CONFLICT when finished.
   */
  public static final String STORE_JOBS_START = "fetchbus.store.jobs.start";
  /**
   * Store: join a job's workers or renew the caller's place and chunk leases, and get its share of the job's
   * limits. Request {"id", "owner", "node", "leaseMs", "inFlight", "hostInFlight", "chunks" (those it works on)}, reply {"status", "concurrency",
   * "perHost" (what it may use now), "fairConcurrency", "fairPerHost", "settled" (its grant is its fair share),
   * "workers", "lost" (of its chunks, those another node took)} ("workers": 0, not admitted).
   */
  public static final String STORE_JOBS_WORK = "fetchbus.store.jobs.work";
  /**
   * Store: give up a fetch node's places and chunk leases, on one job ("id") or on all. Request {"owner", "id"?},
   * reply {"released": n}.
   */
  public static final String STORE_JOBS_RELEASE = "fetchbus.store.jobs.release";
  /**
   * Store: lease the job's first free chunk. Request {"id", "owner", "leaseMs"}, reply {"chunk", "urls": [UrlRef]}
   * (the chunk's URLs without a result), or {"chunk": null} when none is free.
   */
  public static final String STORE_CHUNKS_LEASE = "fetchbus.store.chunks.lease";
  /** Store: a chunk's URLs all have a stored result. Request {"id", "chunk"}, reply {}. */
  public static final String STORE_CHUNKS_DONE = "fetchbus.store.chunks.done";
  /** Store: set a job's final status. Request {"id", "status"}, reply {@link JobView}. */
  public static final String STORE_JOBS_FINISH = "fetchbus.store.jobs.finish";
  /**
   * Store: end an unfinished job early: every URL without a result gets {@code outcome}, the job gets
   * {@code status}. Request {"id", "status", "outcome"}, reply {@link JobView}; NOT_FOUND, or CONFLICT when finished.
   */
  public static final String STORE_JOBS_ABANDON = "fetchbus.store.jobs.abandon";
  /**
   * Store: append a batch of results, idempotently. Request {@link ResultBatch} (columns), reply {"stored": n,
   * "completed", "succeeded", "failed"} (the job's counters after it).
   */
  public static final String STORE_RESULTS_APPEND = "fetchbus.store.results.append";
  /**
   * Store: a keyset page of stored results. Request {"id", "afterSeq", "limit", "outcome" ("all", "error" or an
   * outcome)}, reply {"results": [FetchResult]}.
   */
  public static final String STORE_RESULTS_PAGE = "fetchbus.store.results.page";
  /**
   * Store: claim due outbox tasks of one kind for a lease. Request {"kind": "callback", "limit",
   * "leaseMs"}, reply {"tasks": [{"id", "jobId", "attempts", "createdAt" (epoch ms), "callbackUrl"}]}.
   */
  public static final String STORE_OUTBOX_CLAIM = "fetchbus.store.outbox.claim";
  /** Store: a task is done, or given up. Request {"id", "error"?}, reply {}. */
  public static final String STORE_OUTBOX_DONE = "fetchbus.store.outbox.done";
  /** Store: a task failed; due again later. Request {"id", "delayMs", "error"}, reply {}. */
  public static final String STORE_OUTBOX_LATER = "fetchbus.store.outbox.later";
  /**
   * Store: the connection pool and the outbox now, for the monitor. Request {}, reply {"size", "maxSize",
   * "inUse", "waiting", "outboxLagSeconds": {kind: seconds}} ("inUse", "waiting" and the lag are null without
   * metrics).
   */
  public static final String STORE_MONITOR = "fetchbus.store.monitor";

  /**
   * Store: record a complete upload (its file already renamed into place). Request {@link Upload} without
   * "createdAt", reply {@link Upload}.
   */
  public static final String STORE_UPLOADS_CREATE = "fetchbus.store.uploads.create";
  /** Store: read one upload. Request {"id"}, reply {@link Upload}; NOT_FOUND. */
  public static final String STORE_UPLOADS_GET = "fetchbus.store.uploads.get";
  /** Store: delete an upload's row (its file is the caller's). Request {"id"}, reply {@link Upload}; NOT_FOUND. */
  public static final String STORE_UPLOADS_DELETE = "fetchbus.store.uploads.delete";
  /** Store: which of these upload ids have a row. Request {"ids": [...]} (at most 5000), reply {"existing": [...]}. */
  public static final String STORE_UPLOADS_KNOWN = "fetchbus.store.uploads.known";
  /**
   * Store: a keyset page of the ids of uploads not marked missing, in id order. Request {"after"?, "limit"}, reply
   * {"ids": [...]}.
   */
  public static final String STORE_UPLOADS_IDS = "fetchbus.store.uploads.ids";
  /**
   * Store: mark uploads whose file has vanished ({@code missingAt}; their content is then 410 Gone). Request {"ids":
   * [...]} (at most 5000), reply {"marked": n} (those not marked before).
   */
  public static final String STORE_UPLOADS_MISSING = "fetchbus.store.uploads.missing";
  /** Store: answers once the database does. Request {}, reply {}. */
  public static final String STORE_PING = "fetchbus.store.ping";

  /** Fetcher: run (or resume) a stored job. Request {"id"}, reply {"accepted": bool}. */
  public static final String FETCH_JOBS_RUN = "fetchbus.fetch.jobs.run";
  /**
   * Fetcher: cancel a job: in-flight requests are aborted, finished results stored, the rest marked cancelled.
   * Request {"id"}, reply {@link JobView}; NOT_FOUND, or CONFLICT when the job had already finished.
   */
  public static final String FETCH_JOBS_CANCEL = "fetchbus.fetch.jobs.cancel";
  /**
   * Fetcher, published by the node that ended a job early (cancel, deadline): every other node working on it stops
   * its run at once. Message {"id"}.
   */
  public static final String FETCH_JOBS_ENDED = "fetchbus.fetch.jobs.ended";
  /**
   * Fetcher, published when a node joins or leaves a job (the nodes working on it ask for their share again) and
   * when a node leases its first chunk of a job ("invite": true: idle nodes join it). Message {"id", "invite"}.
   */
  public static final String FETCH_JOBS_WORKERS = "fetchbus.fetch.jobs.workers";

  /**
   * Fetcher: delete a finished job with its results, mirror and report files: mark it, remove the files, delete the
   * rows. Request {"id"}, reply {"purged": true}; NOT_FOUND, CONFLICT while the job runs, INTERNAL when a file could
   * not be removed (the job stays marked; a later purge or the next start finishes it).
   */
  public static final String FETCH_JOBS_PURGE = "fetchbus.fetch.jobs.purge";

  /**
   * Submit a job: validate it as {@code POST /api/jobs} does, store it, hand it to the fetcher. Request: the body of
   * {@code POST /api/jobs} plus an optional "idempotencyKey"; reply {"id", "status", "replayed"}; BAD_INPUT for an
   * invalid job, CONFLICT for a key used for another request. The address bridge clients submit on.
   */
  public static final String JOBS_SUBMIT = "fetchbus.jobs.submit";

  /** Published by a job run with each batch of results it stores: {@link ResultSummary}, counts per host. */
  public static final String EVENTS_RESULTS = "fetchbus.events.results";

  /**
   * Reports: make sure an ended job's report files exist, building them from its stored results if they do not.
   * Request {"id"}, reply {"files": {"ndjson": path, "csv": path}} once they are in place. Asked by the first
   * download, so no job's end pays for a report nobody reads; asks for one job share one build.
   */
  public static final String REPORTS_BUILD = "fetchbus.reports.build";
  /** Reports: remove a job's report files (a purge). Request {"id"}, reply {"deleted": n}. */
  public static final String REPORTS_DELETE = "fetchbus.reports.delete";

  /** Stats: per-host success rates. Request {"limit"?}, reply {"hosts": [...], "tracked", "maxHosts"}. */
  public static final String STATS_HOSTS = "fetchbus.stats.hosts";

  /**
   * Fetcher: what it is doing now, for the monitor. Request {}, reply {"node", "inFlight", "maxInFlight", "waiting"
   * (runs waiting for a fetcher-wide slot), "jobs": [{"id", "inFlight", "queued", "unstored", "done", "total",
   * "concurrency", "perHost", "chunks"}]}.
   */
  public static final String FETCH_MONITOR = "fetchbus.fetch.monitor";
  /**
   * Published by every fetch node every {@code fetch.monitorPublishMs}: its {@link #FETCH_MONITOR} reply with
   * {"node"} (process id @ host) added, so that the monitor lists every node, not whichever one answers a request.
   */
  public static final String FETCH_NODES = "fetchbus.fetch.nodes";

  /** Where a job's {@link Progress} is published. */
  public static String jobEvents(String jobId) {
    return "fetchbus.events.job." + jobId;
  }

  private Addresses() {
  }
}
