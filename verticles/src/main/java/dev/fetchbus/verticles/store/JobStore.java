package dev.fetchbus.verticles.store;

import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobId;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobSpec;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.UrlRef;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
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
  private static final String JOB_COLUMNS = "id, status, total, completed, succeeded, failed, storage_errors, bytes,"
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
  // A job's URLs in chunks of this many, leased one at a time by the fetch nodes working on the job.
  static final int CHUNK_URLS = 500;
  private static final String INSERT_CHUNKS =
      "INSERT INTO job_chunks (job_id, chunk, first_seq, last_seq)"
          + " SELECT $1, g, g * $2, least(g * $2 + $2, $3) - 1 FROM generate_series(0, ($3 - 1) / $2) g";
  private static final String LEASE_UNTIL = "now() + make_interval(secs => $%d / 1000.0)";
  // Unfinished jobs a fetch node may join: one with a chunk nobody holds, or with every chunk done (someone has to
  // finish it), that the node does not work on yet and that has room for another node (WorkShares.maxWorkers).
  private static final String OPEN_JOBS =
      "SELECT j.id FROM jobs j WHERE j.status IN ('queued', 'running') AND j.purging_at IS NULL"
          + " AND (EXISTS (SELECT 1 FROM job_chunks c WHERE c.job_id = j.id AND NOT c.done"
          + " AND (c.lease_until IS NULL OR c.lease_until < now()))"
          + " OR NOT EXISTS (SELECT 1 FROM job_chunks c WHERE c.job_id = j.id AND NOT c.done))"
          + " AND NOT EXISTS (SELECT 1 FROM job_workers w WHERE w.job_id = j.id AND w.owner = $1 AND w.lease_until > now())"
          + " AND (SELECT count(*) FROM job_workers w WHERE w.job_id = j.id AND w.lease_until > now())"
          + " < CASE WHEN coalesce((j.options->>'perHostDelayMs')::bigint, 0) > 0 THEN 1"
          + " ELSE least((j.options->>'concurrency')::int, (j.options->>'perHost')::int) END";
  private static final String START_JOB =
      "UPDATE jobs SET status = 'running', started_at = coalesce(started_at, now())"
          + " WHERE id = $1 AND status IN ('queued', 'running') RETURNING options, " + JOB_COLUMNS;
  // Taken before the workers are read: two nodes joining at once get their shares one after the other.
  private static final String LOCK_JOB = "SELECT status, options FROM jobs WHERE id = $1 FOR UPDATE";
  private static final String DROP_LAPSED_WORKERS = "DELETE FROM job_workers WHERE job_id = $1 AND lease_until < now()";
  private static final String SELECT_WORKERS =
      "SELECT owner, concurrency, per_host FROM job_workers WHERE job_id = $1 ORDER BY joined_at, owner";
  private static final String SAVE_WORKER =
      "WITH w AS (INSERT INTO job_workers (job_id, owner, node, lease_until, concurrency, per_host)"
          + " VALUES ($1, $2, $3, " + LEASE_UNTIL.formatted(4) + ", $5, $6) ON CONFLICT (job_id, owner) DO UPDATE"
          + " SET renewed_at = now(), lease_until = excluded.lease_until, concurrency = excluded.concurrency,"
          + " per_host = excluded.per_host)"
          + ", c AS (UPDATE job_chunks SET lease_until = " + LEASE_UNTIL.formatted(4)
          + " WHERE job_id = $1 AND lease_owner = $2 AND NOT done)"
          // Of the chunks the worker says it holds, those another node took (its lease lapsed meanwhile).
          + " SELECT coalesce(array_agg(h), '{}') FROM unnest($7::int[]) h WHERE NOT EXISTS (SELECT 1 FROM job_chunks k"
          + " WHERE k.job_id = $1 AND k.chunk = h AND (k.done OR k.lease_owner = $2))";
  // The first chunk nobody holds. Its URLs are read by a second statement, with the chunk's bounds as parameters:
  // in one statement the planner, with no statistics yet for a new job, joined the job's URLs against all its
  // results (seconds of CPU per chunk once a few thousand results were in).
  private static final String LEASE_CHUNK =
      "WITH free AS (SELECT chunk FROM job_chunks WHERE job_id = $1 AND NOT done"
          + " AND (lease_until IS NULL OR lease_until < now()) ORDER BY chunk LIMIT 1 FOR UPDATE SKIP LOCKED)"
          + " UPDATE job_chunks k SET lease_owner = $2, lease_until = " + LEASE_UNTIL.formatted(3)
          + " FROM free WHERE k.job_id = $1 AND k.chunk = free.chunk RETURNING k.chunk, k.first_seq, k.last_seq";
  private static final String SELECT_CHUNK_URLS =
      "SELECT u.seq, u.url FROM job_urls u WHERE u.job_id = $1 AND u.seq BETWEEN $2 AND $3"
          + " AND NOT EXISTS (SELECT 1 FROM results r WHERE r.job_id = $1 AND r.seq BETWEEN $2 AND $3 AND r.seq = u.seq)"
          + " ORDER BY u.seq";
  private static final String CHUNK_DONE =
      "UPDATE job_chunks SET done = true, lease_owner = NULL, lease_until = NULL WHERE job_id = $1 AND chunk = $2";
  // Once every chunk is done but the job still lacks results (a batch lost in a database crash), the chunks that
  // lack some are open again.
  private static final String REOPEN_CHUNKS =
      "UPDATE job_chunks c SET done = false WHERE c.job_id = $1 AND c.done"
          + " AND NOT EXISTS (SELECT 1 FROM job_chunks o WHERE o.job_id = $1 AND NOT o.done)"
          + " AND (SELECT count(*) FROM results r WHERE r.job_id = $1 AND r.seq BETWEEN c.first_seq AND c.last_seq)"
          + " <= c.last_seq - c.first_seq";
  // Of every job ($2 null) or of one.
  private static final String RELEASE =
      "WITH w AS (DELETE FROM job_workers WHERE owner = $1 AND ($2::uuid IS NULL OR job_id = $2) RETURNING 1),"
          + " c AS (UPDATE job_chunks SET lease_owner = NULL, lease_until = NULL"
          + " WHERE lease_owner = $1 AND ($2::uuid IS NULL OR job_id = $2) AND NOT done)"
          + " SELECT count(*)::int FROM w";
  // A worker that has not renewed for half its lease is taken for lost: its chunks wait for the lease to lapse.
  private static final String SELECT_JOB_WORKERS =
      "SELECT w.node, EXTRACT(EPOCH FROM w.lease_until - now())::float8 AS lease_left,"
          + " now() - w.renewed_at > (w.lease_until - w.renewed_at) / 2 AS silent,"
          + " (SELECT count(*) FROM job_chunks c WHERE c.job_id = w.job_id AND c.lease_owner = w.owner"
          + " AND NOT c.done)::int AS chunks"
          + " FROM job_workers w WHERE w.job_id = $1 AND w.lease_until > now() ORDER BY w.joined_at, w.owner";
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
          + " ON CONFLICT (job_id, seq) DO NOTHING RETURNING outcome, bytes)"
          + " UPDATE jobs SET completed = completed + (SELECT count(*) FROM ins),"
          + " bytes = jobs.bytes + (SELECT coalesce(sum(bytes), 0) FROM ins),"
          + " succeeded = succeeded + (SELECT count(*) FROM ins WHERE outcome = 'ok'),"
          + " failed = failed + (SELECT count(*) FROM ins WHERE outcome <> 'ok'),"
          + " storage_errors = storage_errors + (SELECT count(*) FROM ins WHERE outcome = 'storage_error')"
          + " WHERE id = $1 RETURNING (SELECT count(*) FROM ins) AS stored, completed, succeeded, failed";
  // A result lost in a crash is fetched again on resume, so result batches need not wait for the WAL flush.
  private static final String RELAXED_COMMIT = "SET LOCAL synchronous_commit = off";
  private static final String SELECT_RESULTS =
      "SELECT r.seq, u.url, r.outcome, r.http_status, r.bytes, r.sha256, r.duration_ms, r.attempts, r.decoded, r.path "
          + "FROM results r JOIN job_urls u USING (job_id, seq) "
          + "WHERE r.job_id = $1 AND r.seq > $2"
          + " AND ($4 = 'all' OR ($4 = 'error' AND r.outcome <> 'ok') OR r.outcome = $4)"
          + " ORDER BY r.seq LIMIT $3";
  /**
   * Results by outcome, then the hosts with the highest mean duration and those with the most failures ($2 each). A
   * host is the URL's scheme and authority without user info or a default port, as the fetcher counts per-host
   * limits.
   */
  private static final String SUMMARIZE_RESULTS =
      "WITH r AS MATERIALIZED (SELECT r.outcome, r.duration_ms,"
          + " regexp_replace(regexp_replace(lower(regexp_replace(u.url,"
          + " '^([A-Za-z][A-Za-z0-9+.-]*://)(?:[^@/?#]*@)?([^/?#]*).*$', '\\1\\2')),"
          + " '^(http://.*):80$', '\\1'), '^(https://.*):443$', '\\1') AS host"
          + " FROM results r JOIN job_urls u USING (job_id, seq) WHERE r.job_id = $1),"
          + " hosts AS (SELECT host, count(*) AS n, count(*) FILTER (WHERE outcome <> 'ok') AS failed,"
          + " avg(duration_ms)::float8 AS mean_ms FROM r GROUP BY host)"
          + " (SELECT 'outcome' AS list, outcome AS name, count(*) AS n, 0::bigint AS failed, 0::float8 AS mean_ms"
          + " FROM r GROUP BY outcome)"
          + " UNION ALL (SELECT 'slowest', host, n, failed, mean_ms FROM hosts ORDER BY mean_ms DESC, host LIMIT $2)"
          + " UNION ALL (SELECT 'failing', host, n, failed, mean_ms FROM hosts WHERE failed > 0"
          + " ORDER BY failed DESC, host LIMIT $2)";
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
      "SELECT id, status IN ('queued', 'running') AS unfinished, purging_at IS NOT NULL AS purging FROM jobs"
          + " WHERE id = ANY($1)";
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
          + " chunks AS (DELETE FROM job_chunks WHERE job_id IN (SELECT id FROM job)),"
          + " workers AS (DELETE FROM job_workers WHERE job_id IN (SELECT id FROM job)),"
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
  public Future<StoreApi.Created> create(JobSpec spec, String idempotencyKey) {
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
              return new StoreApi.Created(jobView(first), true);
            })
            : conn.preparedQuery(INSERT_URLS)
                .execute(Tuple.of(id).addArrayOfString(spec.urls().toArray(new String[0])))
                .compose(urls -> conn.preparedQuery(INSERT_CHUNKS).execute(Tuple.of(id, CHUNK_URLS, spec.urls().size())))
                .map(chunks -> new StoreApi.Created(jobView(job.iterator().next()), false))));
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The job's view for readers: {@link JobView}, and for an unfinished job the fetch nodes working on it ("nodes":
   * [{"node", "chunks", "leaseLeftMs", "silent"}]) and, when one has gone silent holding chunks, "waiting":
   * "waiting for lease of node X (n s)".
   */
  public Future<JsonObject> view(UUID id) {
    return get(id).compose(job -> job.status().finished() ? Future.succeededFuture(job.toJson())
        : pool.preparedQuery(SELECT_JOB_WORKERS).execute(Tuple.of(id)).map(rows -> {
          List<JsonObject> nodes = new ArrayList<>(rows.size());
          String waiting = null;
          for (Row row : rows) {
            long leaseLeftMs = Math.round(row.getDouble("lease_left") * 1000);
            boolean silent = row.getBoolean("silent");
            nodes.add(new JsonObject().put("node", row.getString("node")).put("chunks", row.getInteger("chunks"))
                .put("leaseLeftMs", leaseLeftMs).put("silent", silent));
            if (silent && row.getInteger("chunks") > 0 && waiting == null) {
              waiting = "waiting for lease of node " + row.getString("node") + " (" + (leaseLeftMs + 999) / 1000 + " s)";
            }
          }
          return job.toJson().put("nodes", new JsonArray(nodes)).put("waiting", waiting);
        }));
  }

  public Future<JobView> get(UUID id) {
    return pool.preparedQuery(SELECT_JOB).execute(Tuple.of(id))
        .map(rows -> jobView(single(rows, id)));
  }

  /** Unfinished jobs {@code owner} may join (see OPEN_JOBS). */
  public Future<List<String>> openJobs(String owner) {
    return pool.preparedQuery(OPEN_JOBS).execute(Tuple.of(owner)).map(JobStore::ids);
  }

  /** The first column of each row, a uuid, as a string. */
  static List<String> ids(RowSet<Row> rows) {
    List<String> ids = new ArrayList<>(rows.size());
    rows.forEach(row -> ids.add(row.getUUID(0).toString()));
    return ids;
  }

  /** Marks the job running and returns its options and state; NOT_FOUND, or CONFLICT if it already finished. */
  public Future<StoreApi.JobStart> start(UUID id) {
    return pool.preparedQuery(START_JOB).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return get(id).map(job -> {
          throw FailureCode.CONFLICT.exception("job " + id + " is already " + job.status().wire());
        });
      }
      Row row = rows.iterator().next();
      return Future.succeededFuture(
          new StoreApi.JobStart(JobOptions.fromJson(row.getJsonObject("options")), jobView(row)));
    });
  }

  /**
   * Joins {@code owner} (named {@code node}) to the job's workers or renews its place, with its chunk leases
   * ({@code held}: the chunks it is working on), for
   * {@code leaseMs}, and hands it its share of the job's limits ({@link WorkShares}), given what it has in flight.
   * Reply: {"status", "concurrency", "perHost" (what it may use now), "fairConcurrency", "fairPerHost", "settled"
   * (its grant is its fair share), "workers", "lost" (of the chunks it says it holds, those another node took)};
   * a finished job, or
   * one with no room for another node, grants nothing ("workers": 0). NOT_FOUND for an unknown job.
   */
  public Future<StoreApi.WorkGrant> work(StoreApi.WorkRequest request) {
    UUID id = JobId.parse(request.id());
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK_JOB).execute(Tuple.of(id)).compose(jobs -> {
      if (jobs.size() == 0) {
        throw FailureCode.NOT_FOUND.exception("job " + id + " not found");
      }
      Row job = jobs.iterator().next();
      JobStatus status = JobStatus.fromWire(job.getString("status"));
      if (status.finished()) {
        return Future.succeededFuture(grant(status, WorkShares.Grant.REFUSED, List.of()));
      }
      JsonObject options = job.getJsonObject("options");
      return conn.preparedQuery(DROP_LAPSED_WORKERS).execute(Tuple.of(id))
          .compose(v -> conn.preparedQuery(SELECT_WORKERS).execute(Tuple.of(id)))
          .compose(rows -> {
            List<WorkShares.Worker> live = new ArrayList<>(rows.size());
            rows.forEach(row -> live.add(new WorkShares.Worker(row.getString(0), row.getInteger(1), row.getInteger(2))));
            WorkShares.Grant grant = WorkShares.grant(JobOptions.fromJson(options), live, request.owner(),
                request.inFlight(), request.hostInFlight());
            if (!grant.admitted()) {
              return Future.succeededFuture(grant(status, grant, List.of()));
            }
            return conn.preparedQuery(SAVE_WORKER)
                .execute(Tuple.of(id, request.owner(), request.node(), request.leaseMs(), grant.concurrency(),
                    grant.perHost()).addArrayOfInteger(request.chunks().toArray(new Integer[0])))
                .map(saved -> grant(status, grant, List.of(saved.iterator().next().getArrayOfIntegers(0))));
          });
    }));
  }

  private static StoreApi.WorkGrant grant(JobStatus status, WorkShares.Grant grant, List<Integer> lost) {
    return new StoreApi.WorkGrant(status, grant.usableConcurrency(), grant.usablePerHost(), grant.fairConcurrency(),
        grant.fairPerHost(), grant.settled(), grant.workers(), lost);
  }

  /**
   * Leases to {@code owner} the first chunk of the job nobody holds, for {@code leaseMs}; the reply is {"chunk", "urls":
   * [UrlRef]} with the chunk's URLs that have no result yet, or {"chunk": null} when no chunk is free.
   */
  public Future<StoreApi.ChunkLease> leaseChunk(UUID id, String owner, long leaseMs) {
    return pool.preparedQuery(LEASE_CHUNK).execute(Tuple.of(id, owner, leaseMs)).compose(leased -> {
      if (leased.size() == 0) {
        return Future.succeededFuture(new StoreApi.ChunkLease(null, List.of()));
      }
      Row chunk = leased.iterator().next();
      return pool.preparedQuery(SELECT_CHUNK_URLS).execute(Tuple.of(id, chunk.getInteger(1), chunk.getInteger(2)))
          .map(rows -> {
            List<UrlRef> urls = new ArrayList<>(rows.size());
            rows.forEach(row -> urls.add(new UrlRef(row.getInteger(0), row.getString(1))));
            return new StoreApi.ChunkLease(chunk.getInteger(0), urls);
          });
    });
  }

  /** Marks a chunk done: every URL in it has a stored result. */
  public Future<Void> chunkDone(UUID id, int chunk) {
    return pool.preparedQuery(CHUNK_DONE).execute(Tuple.of(id, chunk)).mapEmpty();
  }

  /**
   * Gives up {@code owner}'s place and chunk leases on job {@code id}, or on every job when it is null, so other
   * nodes may take them now; returns on how many jobs it worked.
   */
  public Future<Integer> release(String owner, UUID id) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(owner, id)).map(rows -> rows.iterator().next().getInteger(0));
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
   * ended, or results are missing) the job as it is comes back; results missing once every chunk is done (lost in a
   * database crash) open their chunks again.
   */
  public Future<JobView> finish(UUID id, JobStatus status) {
    return pool.preparedQuery(FINISH_JOB).execute(Tuple.of(id, status.wire()))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(jobView(rows.iterator().next()))
            : pool.preparedQuery(REOPEN_CHUNKS).execute(Tuple.of(id)).compose(v -> get(id)));
  }

  /** Stores the results that are new; returns {"stored" (how many were new), "completed", "succeeded", "failed"}. */
  public Future<StoreApi.Stored> append(UUID id, List<FetchResult> results) {
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
      Row row = rows.iterator().next();
      return new StoreApi.Stored(row.getLong(0), row.getInteger(1), row.getInteger(2), row.getInteger(3));
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
  /** How the job's stored results ended: counts per outcome, its slowest and its most failing hosts. */
  public Future<JsonObject> summary(UUID id, int hosts) {
    return get(id).compose(job -> pool.preparedQuery(SUMMARIZE_RESULTS).execute(Tuple.of(id, hosts))).map(rows -> {
      JsonObject outcomes = new JsonObject();
      JsonArray slowest = new JsonArray();
      JsonArray failing = new JsonArray();
      for (Row row : rows) {
        String list = row.getString("list");
        if ("outcome".equals(list)) {
          outcomes.put(row.getString("name"), row.getLong("n"));
        } else {
          ("slowest".equals(list) ? slowest : failing).add(new JsonObject().put("host", row.getString("name"))
              .put("results", row.getLong("n")).put("failed", row.getLong("failed"))
              .put("meanMs", Math.round(row.getDouble("mean_ms"))));
        }
      }
      return new JsonObject().put("id", id.toString()).put("outcomes", outcomes).put("slowestHosts", slowest)
          .put("failingHosts", failing);
    });
  }

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
  public Future<StoreApi.KnownJobs> known(UUID[] ids) {
    return pool.preparedQuery(SELECT_KNOWN).execute(Tuple.tuple().addArrayOfUUID(ids)).map(rows -> {
      List<String> existing = new ArrayList<>(rows.size());
      List<String> unfinished = new ArrayList<>();
      List<String> purging = new ArrayList<>();
      rows.forEach(row -> {
        String id = row.getUUID("id").toString();
        existing.add(id);
        if (row.getBoolean("unfinished")) {
          unfinished.add(id);
        }
        if (row.getBoolean("purging")) {
          purging.add(id);
        }
      });
      return new StoreApi.KnownJobs(existing, unfinished, purging);
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
  public Future<List<StoreApi.OutboxTask>> claim(String kind, int limit, long leaseMs) {
    return pool.preparedQuery(CLAIM_TASKS).execute(Tuple.of(kind, limit, leaseMs)).map(rows -> {
      List<StoreApi.OutboxTask> tasks = new ArrayList<>(rows.size());
      rows.forEach(row -> tasks.add(new StoreApi.OutboxTask(row.getLong("id"), row.getUUID("job_id").toString(),
          row.getInteger("attempts"), row.getOffsetDateTime("created_at").toInstant().toEpochMilli(),
          row.getString("callback_url"))));
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
        row.getInteger("storage_errors"), row.getLong("bytes"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("started_at"),
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

}
