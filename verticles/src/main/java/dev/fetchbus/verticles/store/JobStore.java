package dev.fetchbus.verticles.store;

import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobId;
import dev.fetchbus.verticles.bus.JobSpec;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.UrlRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** The SQL of jobs, their URLs and results, and the outbox (uploads: {@link UploadStore}); nothing else. */
public final class JobStore {
  private static final String JOB_COLUMNS = "id, status, total, completed, succeeded, failed, storage_errors,"
      + " created_at, started_at, finished_at, callback_url";
  // A job read for its view comes with its callback's outbox task, if it has one yet: one probe of outbox_job. Once
  // the task is pruned, the outcome it left on the job's row stands in for it.
  private static final String JOB_WITH_CALLBACK = "SELECT " + JOB_COLUMNS + ","
      + " coalesce(cb.attempts, jobs.callback_attempts) AS callback_attempts, cb.next_at AS callback_next_at,"
      + " coalesce(cb.done_at, jobs.callback_done_at) AS callback_done_at,"
      + " CASE WHEN cb.attempts IS NULL THEN jobs.callback_error ELSE cb.last_error END AS callback_last_error"
      + " FROM jobs LEFT JOIN LATERAL (SELECT attempts, next_at, done_at, last_error FROM outbox o"
      + " WHERE o.job_id = jobs.id AND o.kind = 'callback' ORDER BY o.id DESC LIMIT 1) cb ON true";

  private static final String INSERT_JOB =
      "INSERT INTO jobs (id, status, options, total, idempotency_key, request_sha256, callback_url)"
          + " VALUES ($1, 'queued', $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING " + JOB_COLUMNS;
  private static final String SELECT_JOB_BY_KEY =
      "SELECT request_sha256, " + JOB_COLUMNS + " FROM jobs WHERE idempotency_key = $1";
  private static final String INSERT_URLS =
      "INSERT INTO job_urls (job_id, seq, url) "
          + "SELECT $1, t.ord - 1, t.url FROM unnest($2::text[]) WITH ORDINALITY AS t(url, ord)";
  // A job being purged is gone for readers: only the purge's own steps see it.
  private static final String SELECT_JOB = JOB_WITH_CALLBACK + " WHERE jobs.id = $1 AND purging_at IS NULL";
  private static final String SELECT_STATUS = "SELECT status FROM jobs WHERE id = $1";
  // A lease is free when it was never taken, has run out, or is the claimer's own (which renews it). UPDATE
  // re-checks this after waiting for a row another claimer holds, so two fetchers never both get a job.
  private static final String LEASE_FREE = "(lease_until IS NULL OR lease_until < now() OR lease_owner = $1)";
  private static final String TAKE_LEASE = "lease_owner = $1, lease_until = now() + make_interval(secs => $2 / 1000.0)";
  private static final String CLAIM_UNFINISHED =
      "UPDATE jobs SET " + TAKE_LEASE + " WHERE status IN ('queued', 'running') AND " + LEASE_FREE + " RETURNING id";
  private static final String START_JOB =
      "UPDATE jobs SET status = 'running', started_at = coalesce(started_at, now()), " + TAKE_LEASE
          + " WHERE id = $3 AND status IN ('queued', 'running') AND " + LEASE_FREE + " RETURNING options, " + JOB_COLUMNS;
  private static final String RELEASE_LEASES =
      "UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1";
  // Ending a job and queueing its callback, if it asked for one, is one statement. Reports are built on demand.
  private static final String ENQUEUE_AFTER_END =
      ", box AS (INSERT INTO outbox (job_id, kind) SELECT upd.id, 'callback' FROM upd"
          + " WHERE upd.callback_url IS NOT NULL)"
          + " SELECT " + JOB_COLUMNS + " FROM upd";
  // A job is done only with a result for every URL: a result batch lost in a database crash (they commit
  // asynchronously) while its run went on leaves the job running, and the run fetches what is missing.
  private static final String FINISH_JOB =
      "WITH upd AS (UPDATE jobs SET status = $2, finished_at = now() "
          + "WHERE id = $1 AND status IN ('queued', 'running') AND ($2 <> 'done' OR completed = total)"
          + " RETURNING " + JOB_COLUMNS + ")"
          + ENQUEUE_AFTER_END;
  private static final String CLAIM_TASKS =
      "UPDATE outbox o SET next_at = now() + make_interval(secs => $3 / 1000.0), attempts = o.attempts + 1"
          + " FROM jobs j WHERE j.id = o.job_id AND j.purging_at IS NULL AND o.id IN (SELECT id FROM outbox WHERE kind = $1"
          + " AND done_at IS NULL AND next_at <= now() ORDER BY next_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
          + " RETURNING o.id, o.job_id, o.attempts, o.created_at, j.callback_url";
  // How long the oldest due task of each kind has been waiting for a poller (0 when none is due); a leased task
  // is not due. Served by the outbox_due index.
  private static final String OUTBOX_LAG =
      "SELECT k.kind, COALESCE(EXTRACT(EPOCH FROM now() - min(o.next_at)), 0)::float8 AS lag"
          + " FROM unnest(ARRAY['callback']) AS k(kind)"
          + " LEFT JOIN outbox o ON o.kind = k.kind AND o.done_at IS NULL AND o.next_at <= now() GROUP BY k.kind";
  private static final String COUNT_UNFINISHED =
      "SELECT status, count(*)::float8 AS jobs FROM jobs WHERE status IN ('queued', 'running') GROUP BY status";
  private static final String TASK_DONE = "UPDATE outbox SET done_at = now(), last_error = $2 WHERE id = $1";
  private static final String TASK_LATER =
      "UPDATE outbox SET next_at = now() + make_interval(secs => $2 / 1000.0), last_error = $3 WHERE id = $1";
  // For a job with no stored result when its run began: every URL past the run's cursor is still to do.
  private static final String SELECT_URLS =
      "SELECT seq, url FROM job_urls WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";
  private static final String SELECT_PENDING =
      "SELECT u.seq, u.url FROM job_urls u WHERE u.job_id = $1 AND u.seq > $2 "
          + "AND NOT EXISTS (SELECT 1 FROM results r WHERE r.job_id = u.job_id AND r.seq = u.seq) "
          + "ORDER BY u.seq LIMIT $3";
  // One statement per batch: insert what is new (only for URLs the job has), and count only that into the
  // job's counters.
  private static final String APPEND_RESULTS =
      "WITH ins AS ("
          + " INSERT INTO results (job_id, seq, outcome, http_status, bytes, sha256, duration_ms, attempts,"
          + " decoded, path)"
          + " SELECT $1, t.* FROM unnest($2::int[], $3::text[], $4::smallint[], $5::bigint[], $6::text[],"
          + " $7::int[], $8::smallint[], $9::boolean[], $10::text[])"
          + " AS t(seq, outcome, http_status, bytes, sha256, duration_ms, attempts, decoded, path)"
          + " JOIN (SELECT total FROM jobs WHERE id = $1) j ON t.seq >= 0 AND t.seq < j.total"
          + " ON CONFLICT (job_id, seq) DO NOTHING RETURNING outcome)"
          + " UPDATE jobs SET completed = completed + (SELECT count(*) FROM ins),"
          + " succeeded = succeeded + (SELECT count(*) FROM ins WHERE outcome = 'ok'),"
          + " failed = failed + (SELECT count(*) FROM ins WHERE outcome <> 'ok'),"
          + " storage_errors = storage_errors + (SELECT count(*) FROM ins WHERE outcome = 'storage_error')"
          + " WHERE id = $1 RETURNING (SELECT count(*) FROM ins) AS stored";
  // A result lost in a crash is fetched again on resume, so result batches need not wait for the WAL flush.
  private static final String RELAXED_COMMIT = "SET LOCAL synchronous_commit = off";
  private static final String SELECT_RESULTS =
      "SELECT r.seq, u.url, r.outcome, r.http_status, r.bytes, r.sha256, r.duration_ms, r.attempts, r.decoded, r.path "
          + "FROM results r JOIN job_urls u USING (job_id, seq) "
          + "WHERE r.job_id = $1 AND r.seq > $2"
          + " AND ($4 = 'all' OR ($4 = 'error' AND r.outcome <> 'ok') OR r.outcome = $4)"
          + " ORDER BY r.seq LIMIT $3";
  private static final String SELECT_JOBS =
      JOB_WITH_CALLBACK + " WHERE purging_at IS NULL AND ($1::text IS NULL OR status = $1)"
          + " AND ($2::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM jobs WHERE id = $2))"
          + " ORDER BY created_at DESC, id DESC LIMIT $3";
  // Marking frees the idempotency key at once: a new request with it must not replay a job that is going away.
  private static final String BEGIN_PURGE =
      "UPDATE jobs SET purging_at = coalesce(purging_at, now()), idempotency_key = NULL"
          + " WHERE id = $1 AND status NOT IN ('queued', 'running') RETURNING id";
  private static final String SELECT_PURGING =
      "SELECT id FROM jobs WHERE purging_at IS NOT NULL ORDER BY purging_at LIMIT $1";
  private static final String SELECT_KNOWN =
      "SELECT id, status IN ('queued', 'running') AS unfinished FROM jobs WHERE id = ANY($1)";
  // Oldest first, a batch at a time, skipping rows a poller holds: no statement holds many locks for long. A pruned
  // callback task leaves its outcome on the job's row, so the job view still says delivered or failed.
  private static final String PRUNE_OUTBOX =
      "WITH gone AS (DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
          + " WHERE done_at < now() - make_interval(secs => $1 / 1000.0) ORDER BY done_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
          + " RETURNING job_id, kind, attempts, done_at, last_error),"
          + " kept AS (UPDATE jobs SET callback_attempts = g.attempts, callback_done_at = g.done_at,"
          + " callback_error = g.last_error FROM gone g WHERE jobs.id = g.job_id AND g.kind = 'callback')"
          + " SELECT count(*) FROM gone";
  private static final String PURGE_JOB =
      "WITH job AS (DELETE FROM jobs WHERE id = $1 AND purging_at IS NOT NULL RETURNING id),"
          + " urls AS (DELETE FROM job_urls WHERE job_id IN (SELECT id FROM job)),"
          + " res AS (DELETE FROM results WHERE job_id IN (SELECT id FROM job)),"
          + " box AS (DELETE FROM outbox WHERE job_id IN (SELECT id FROM job))"
          + " SELECT count(*) FROM job";

  // Every URL still without a result gets the given outcome, and the job its final status, in one statement.
  private static final String ABANDON_JOB =
      "WITH ins AS ("
          + " INSERT INTO results (job_id, seq, outcome, bytes, duration_ms, attempts)"
          + " SELECT u.job_id, u.seq, $3, 0, 0, 0 FROM job_urls u"
          + " WHERE u.job_id = $1 AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = $1 AND j.status IN ('queued', 'running'))"
          + " ON CONFLICT (job_id, seq) DO NOTHING RETURNING 1)"
          + ", upd AS (UPDATE jobs SET status = $2, finished_at = now(),"
          + " completed = completed + (SELECT count(*) FROM ins), failed = failed + (SELECT count(*) FROM ins)"
          + " WHERE id = $1 AND status IN ('queued', 'running') RETURNING " + JOB_COLUMNS + ")"
          + ENQUEUE_AFTER_END;

  private final Pool pool;

  public JobStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores a job and its URLs in one transaction. With an idempotency key already used for the same request, the
   * first job comes back instead (and nothing is written); used for another request, CONFLICT. The reply is the
   * job, with {@code replayed} telling which happened.
   */
  public Future<JsonObject> create(JobSpec spec, String idempotencyKey) {
    UUID id = UUID.randomUUID();
    String digest = sha256(spec.toJson().encode());
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT_JOB)
        .execute(Tuple.of(id, spec.options().toJson(), spec.urls().size(), idempotencyKey, digest,
            spec.callbackUrl()))
        .compose(job -> job.size() == 0
            ? conn.preparedQuery(SELECT_JOB_BY_KEY).execute(Tuple.of(idempotencyKey)).map(rows -> {
              Row first = rows.iterator().next();
              if (!digest.equals(first.getString("request_sha256"))) {
                throw FailureCode.CONFLICT.exception("Idempotency-Key '" + idempotencyKey
                    + "' was used for a different job request");
              }
              return jobView(first).toJson().put("replayed", true);
            })
            : conn.preparedQuery(INSERT_URLS)
                .execute(Tuple.of(id).addArrayOfString(spec.urls().toArray(new String[0])))
                .map(urls -> jobView(job.iterator().next()).toJson().put("replayed", false))));
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Future<JobView> get(UUID id) {
    return pool.preparedQuery(SELECT_JOB).execute(Tuple.of(id))
        .map(rows -> jobView(single(rows, id)));
  }

  /** Leases to {@code owner} the unfinished jobs no other fetcher holds (renewing its own); returns their ids. */
  public Future<List<String>> claimUnfinished(String owner, long leaseMs) {
    return pool.preparedQuery(CLAIM_UNFINISHED).execute(Tuple.of(owner, leaseMs)).map(JobStore::ids);
  }

  /** The first column of each row, a uuid, as a string. */
  static List<String> ids(RowSet<Row> rows) {
    List<String> ids = new ArrayList<>(rows.size());
    rows.forEach(row -> ids.add(row.getUUID(0).toString()));
    return ids;
  }

  /**
   * Marks the job running, leased to {@code owner}, and returns its options and state; NOT_FOUND, or CONFLICT if
   * it already finished or another fetcher holds its lease.
   */
  public Future<JsonObject> start(UUID id, String owner, long leaseMs) {
    return pool.preparedQuery(START_JOB).execute(Tuple.of(owner, leaseMs, id)).compose(rows -> {
      if (rows.size() == 0) {
        return get(id).map(job -> {
          throw FailureCode.CONFLICT.exception(job.status().finished() ? "job " + id + " is already "
              + job.status().wire() : "job " + id + " is run by another fetcher");
        });
      }
      Row row = rows.iterator().next();
      return Future.succeededFuture(
          new JsonObject().put("options", row.getJsonObject("options")).put("job", jobView(row).toJson()));
    });
  }

  /** Gives up every lease {@code owner} holds, so other fetchers may take its jobs now; returns how many. */
  public Future<Integer> releaseLeases(String owner) {
    return pool.preparedQuery(RELEASE_LEASES).execute(Tuple.of(owner)).map(RowSet::rowCount);
  }

  /** Ends an unfinished job early; NOT_FOUND for an unknown job, CONFLICT for a finished one. */
  public Future<JobView> abandon(UUID id, JobStatus status, Outcome outcome) {
    return pool.preparedQuery(ABANDON_JOB).execute(Tuple.of(id, status.wire(), outcome.wire()))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(jobView(rows.iterator().next()))
            : get(id).map(job -> {
              throw FailureCode.CONFLICT.exception("job " + id + " is already " + job.status().wire());
            }));
  }

  /**
   * Sets a final status; {@code DONE} only once every URL has a result. When nothing changes (the job has already
   * ended, or results are missing) the job as it is comes back.
   */
  public Future<JobView> finish(UUID id, JobStatus status) {
    return pool.preparedQuery(FINISH_JOB).execute(Tuple.of(id, status.wire()))
        .compose(rows -> rows.size() == 0 ? get(id) : Future.succeededFuture(jobView(rows.iterator().next())));
  }

  /**
   * A page of URLs without a result, after {@code afterSeq}. {@code fresh}: the asking run began with no stored
   * result, so the anti-join over results (needed when resuming) can be skipped.
   */
  public Future<List<UrlRef>> pending(UUID id, int afterSeq, int limit, boolean fresh) {
    return pool.preparedQuery(fresh ? SELECT_URLS : SELECT_PENDING).execute(Tuple.of(id, afterSeq, limit)).map(rows -> {
      List<UrlRef> urls = new ArrayList<>(rows.size());
      rows.forEach(row -> urls.add(new UrlRef(row.getInteger(0), row.getString(1))));
      return urls;
    });
  }

  /** Stores the results that are new; returns how many were. */
  public Future<Integer> append(UUID id, List<FetchResult> results) {
    int n = results.size();
    Integer[] seq = new Integer[n];
    String[] outcome = new String[n];
    Short[] status = new Short[n];
    Long[] bytes = new Long[n];
    String[] sha = new String[n];
    Integer[] duration = new Integer[n];
    Short[] attempts = new Short[n];
    Boolean[] decoded = new Boolean[n];
    String[] path = new String[n];
    for (int i = 0; i < n; i++) {
      FetchResult r = results.get(i);
      seq[i] = r.seq();
      outcome[i] = r.outcome().wire();
      status[i] = r.httpStatus() == null ? null : r.httpStatus().shortValue();
      bytes[i] = r.bytes();
      sha[i] = r.sha256();
      duration[i] = (int) Math.min(Integer.MAX_VALUE, r.durationMs());
      attempts[i] = (short) r.attempts();
      decoded[i] = r.decoded();
      path[i] = r.path();
    }
    Tuple args = Tuple.of(id).addArrayOfInteger(seq).addArrayOfString(outcome).addArrayOfShort(status)
        .addArrayOfLong(bytes).addArrayOfString(sha).addArrayOfInteger(duration).addArrayOfShort(attempts).addArrayOfBoolean(decoded).addArrayOfString(path);
    return pool.withTransaction(conn -> conn.query(RELAXED_COMMIT).execute()
        .compose(v -> conn.preparedQuery(APPEND_RESULTS).execute(args))).map(rows -> {
      if (rows.size() == 0) {
        throw FailureCode.NOT_FOUND.exception("job " + id + " not found");
      }
      return rows.iterator().next().getInteger(0);
    });
  }

  /** A keyset page of results; {@code outcome} is "all", "error" (everything but ok) or one outcome. */
  public Future<List<FetchResult>> results(UUID id, int afterSeq, int limit, String outcome) {
    return pool.preparedQuery(SELECT_RESULTS).execute(Tuple.of(id, afterSeq, limit, outcome)).map(rows -> {
      List<FetchResult> page = new ArrayList<>(rows.size());
      rows.forEach(row -> page.add(new FetchResult(row.getInteger(0), row.getString(1),
          Outcome.fromWire(row.getString(2)), row.getInteger(3), row.getLong(4), row.getString(5),
          row.getLong(6), row.getInteger(7), row.getBoolean(8), row.getString(9))));
      return page;
    });
  }

  /** Jobs, newest first, optionally of one status, after the job {@code after} (a cursor from the last page). */
  public Future<List<JobView>> list(JobStatus status, UUID after, int limit) {
    // A cursor whose job was purged would end the listing silently: say so instead.
    Future<?> cursor = after == null ? Future.succeededFuture() : get(after).recover(err -> Future.failedFuture(
        FailureCode.BAD_INPUT.exception("the cursor job " + after + " no longer exists; start again without 'after'")));
    return cursor.compose(v -> pool.preparedQuery(SELECT_JOBS)
            .execute(Tuple.of(status == null ? null : status.wire(), after, limit)))
        .map(rows -> {
          List<JobView> jobs = new ArrayList<>(rows.size());
          rows.forEach(row -> jobs.add(jobView(row)));
          return jobs;
        });
  }

  /**
   * Marks a finished job as being purged (again, if it already was): reads no longer see it. NOT_FOUND, or CONFLICT
   * while it is unfinished.
   */
  public Future<Void> beginPurge(UUID id) {
    return pool.preparedQuery(BEGIN_PURGE).execute(Tuple.of(id))
        .compose(rows -> rows.size() > 0 ? Future.<Void>succeededFuture() : status(id).map(status -> {
          throw FailureCode.CONFLICT.exception("job " + id + " is " + status + ": cancel it first");
        }));
  }

  /**
   * Deletes a job marked as being purged with its URLs, results and outbox tasks; NOT_FOUND, or CONFLICT if its purge
   * has not begun.
   */
  public Future<Void> purge(UUID id) {
    return pool.withTransaction(conn -> conn.preparedQuery(PURGE_JOB).execute(Tuple.of(id)))
        .compose(rows -> rows.iterator().next().getLong(0) > 0 ? Future.<Void>succeededFuture()
            : status(id).map(status -> {
              throw FailureCode.CONFLICT.exception("job " + id + " is not being purged");
            }));
  }

  /** The ids of up to {@code limit} jobs whose purge began and has not finished, oldest first. */
  public Future<List<String>> purging(int limit) {
    return pool.preparedQuery(SELECT_PURGING).execute(Tuple.of(limit)).map(JobStore::ids);
  }

  /** Which of {@code ids} have a row: {"existing": [...], "unfinished": [...]}, in one query. */
  public Future<JsonObject> known(UUID[] ids) {
    return pool.preparedQuery(SELECT_KNOWN).execute(Tuple.tuple().addArrayOfUUID(ids)).map(rows -> {
      List<String> existing = new ArrayList<>(rows.size());
      List<String> unfinished = new ArrayList<>();
      rows.forEach(row -> {
        String id = row.getUUID("id").toString();
        existing.add(id);
        if (row.getBoolean("unfinished")) {
          unfinished.add(id);
        }
      });
      return new JsonObject().put("existing", existing).put("unfinished", unfinished);
    });
  }

  /** Deletes up to {@code limit} outbox tasks done more than {@code retentionMs} ago, oldest first; returns how many. */
  public Future<Integer> pruneOutbox(long retentionMs, int limit) {
    return pool.preparedQuery(PRUNE_OUTBOX).execute(Tuple.of(retentionMs, limit))
        .map(rows -> rows.iterator().next().getLong(0).intValue());
  }

  /** The status of a job, being purged or not (as its wire name); NOT_FOUND if it has no row. */
  private Future<String> status(UUID id) {
    return pool.preparedQuery(SELECT_STATUS).execute(Tuple.of(id)).map(rows -> single(rows, id).getString(0));
  }

  /**
   * Claims up to {@code limit} due tasks of one kind for {@code leaseMs}: a claimed task is not handed out again
   * until the lease ends, so a crashed worker's task comes back. Each task: {id, jobId, attempts, createdAt,
   * callbackUrl}.
   */
  public Future<List<JsonObject>> claim(String kind, int limit, long leaseMs) {
    return pool.preparedQuery(CLAIM_TASKS).execute(Tuple.of(kind, limit, leaseMs)).map(rows -> {
      List<JsonObject> tasks = new ArrayList<>(rows.size());
      rows.forEach(row -> tasks.add(new JsonObject().put("id", row.getLong("id"))
          .put("jobId", row.getUUID("job_id").toString()).put("attempts", row.getInteger("attempts"))
          .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toEpochMilli())
          .put("callbackUrl", row.getString("callback_url"))));
      return tasks;
    });
  }

  /** Marks a task done ({@code error} null) or given up ({@code error} says why). */
  public Future<Void> taskDone(long id, String error) {
    return pool.preparedQuery(TASK_DONE).execute(Tuple.of(id, error)).mapEmpty();
  }

  /** Puts a failed task back, due again after {@code delayMs}. */
  public Future<Void> taskLater(long id, long delayMs, String error) {
    return pool.preparedQuery(TASK_LATER).execute(Tuple.of(id, delayMs, error)).mapEmpty();
  }

  /** Seconds the oldest due outbox task of each kind has waited, by kind. */
  public Future<Map<String, Double>> outboxLag() {
    return pool.query(OUTBOX_LAG).execute().map(rows -> {
      Map<String, Double> lag = new TreeMap<>();
      rows.forEach(row -> lag.put(row.getString("kind"), row.getDouble("lag")));
      return lag;
    });
  }

  /** Jobs queued and running, 0 for a status with none (served by the jobs_unfinished index). */
  public Future<Map<String, Double>> unfinishedJobs() {
    return pool.query(COUNT_UNFINISHED).execute().map(rows -> {
      Map<String, Double> counts = new TreeMap<>(Map.of("queued", 0.0, "running", 0.0));
      rows.forEach(row -> counts.put(row.getString("status"), row.getDouble("jobs")));
      return counts;
    });
  }

  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  private static Row single(RowSet<Row> rows, UUID id) {
    if (rows.size() == 0) {
      throw FailureCode.NOT_FOUND.exception("job " + id + " not found");
    }
    return rows.iterator().next();
  }

  private static JobView jobView(Row row) {
    return new JobView(row.getUUID("id").toString(), JobStatus.fromWire(row.getString("status")),
        row.getInteger("total"), row.getInteger("completed"), row.getInteger("succeeded"), row.getInteger("failed"),
        row.getInteger("storage_errors"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("started_at"),
        row.getOffsetDateTime("finished_at"), callback(row));
  }

  /**
   * From the callback's outbox task: pending while it is not done, delivered when done without an error, failed
   * when given up. Rows of the statements that create, start or end a job carry no task columns: its callback has
   * not been tried yet.
   */
  private static JobView.Callback callback(Row row) {
    if (row.getString("callback_url") == null) {
      return null;
    }
    int attempts = row.getColumnIndex("callback_attempts");
    if (attempts < 0 || row.getValue(attempts) == null) {
      return JobView.Callback.NOT_TRIED;
    }
    String lastError = row.getString("callback_last_error");
    JobView.Callback.State state = row.getOffsetDateTime("callback_done_at") == null ? JobView.Callback.State.PENDING
        : lastError == null ? JobView.Callback.State.DELIVERED : JobView.Callback.State.FAILED;
    return new JobView.Callback(state, row.getInteger(attempts), lastError,
        state == JobView.Callback.State.PENDING ? row.getOffsetDateTime("callback_next_at") : null);
  }

  /** Parses a job id; an id that is not a UUID names no job. */
  public static UUID jobId(JsonObject request) {
    return jobId(request.getString("id"));
  }

  public static UUID jobId(String id) {
    return JobId.parse(id);
  }
}
