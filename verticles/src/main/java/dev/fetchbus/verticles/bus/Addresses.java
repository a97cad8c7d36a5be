package dev.fetchbus.verticles.bus;

/**
 * Every event-bus address Fetchbus uses, in one place. Shapes are documented in docs/eventbus.yaml.
 */
public final class Addresses {
  /** Store: create a job and its URL list in one transaction. Request {@link JobSpec}, reply {@link JobView}. */
  public static final String STORE_JOBS_CREATE = "fetchbus.store.jobs.create";
  /** Store: read one job. Request {"id"}, reply {@link JobView}; fails NOT_FOUND. */
  public static final String STORE_JOBS_GET = "fetchbus.store.jobs.get";
  /** Store: ids of jobs left queued or running. Request {}, reply {"ids": [...]}. */
  public static final String STORE_JOBS_UNFINISHED = "fetchbus.store.jobs.unfinished";
  /** Store: mark a job running. Request {"id"}, reply {@link JobSpec} without URLs; fails CONFLICT when finished. */
  public static final String STORE_JOBS_START = "fetchbus.store.jobs.start";
  /** Store: set a job's final status. Request {"id", "status"}, reply {@link JobView}. */
  public static final String STORE_JOBS_FINISH = "fetchbus.store.jobs.finish";
  /** Store: a page of a job's URLs that have no result yet. Request {"id", "afterSeq", "limit"}, reply {"urls": [UrlRef]}. */
  public static final String STORE_URLS_PENDING = "fetchbus.store.urls.pending";
  /** Store: append a batch of results, idempotently. Request {"id", "results": [FetchResult]}, reply {"stored": n}. */
  public static final String STORE_RESULTS_APPEND = "fetchbus.store.results.append";
  /** Store: a keyset page of stored results. Request {"id", "afterSeq", "limit"}, reply {"results": [FetchResult]}. */
  public static final String STORE_RESULTS_PAGE = "fetchbus.store.results.page";
  /** Store: answers once the database does. Request {}, reply {}. */
  public static final String STORE_PING = "fetchbus.store.ping";

  /** Fetcher: run (or resume) a stored job. Request {"id"}, reply {"accepted": bool}. */
  public static final String FETCH_JOBS_RUN = "fetchbus.fetch.jobs.run";

  private Addresses() {
  }
}
