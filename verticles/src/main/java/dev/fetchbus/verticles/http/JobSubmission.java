package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.JobSpec;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.guard.AddressGuard;
import dev.fetchbus.verticles.http.api.JobsApi;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submitting a job, whoever asks: {@code POST /api/jobs} and the {@code fetchbus.jobs.submit} address (bridge
 * clients) validate with the same {@link JobRequest}, then store the job and hand it to the fetcher.
 */
final class JobSubmission {
  private static final Logger LOG = LoggerFactory.getLogger(JobSubmission.class);
  private static final String KEY_FIELD = "idempotencyKey";

  /**
   * Jobs with more URLs than this are validated on a worker: parsing 100,000 URLs holds a thread for a few hundred
   * milliseconds, far more than an event loop may be held.
   */
  static final int INLINE_URLS = 1_000;

  private final Vertx vertx;
  private final StoreApi store;
  private final FetchApi fetch;
  private final JobRequest jobRequest;
  private final SpecValidation spec;

  JobSubmission(Vertx vertx, Bus bus, JsonObject jobLimits, AddressGuard guard, SpecValidation spec) {
    this.vertx = vertx;
    this.store = StoreApi.client(bus);
    this.fetch = FetchApi.client(bus);
    this.jobRequest = new JobRequest(jobLimits, guard);
    this.spec = spec;
  }

  /** Validates a submission; fails with {@link Problem.Refused} saying what is wrong. */
  Future<JobSpec> parse(JsonObject body) {
    if (body.getValue("urls") instanceof JsonArray urls && urls.size() > INLINE_URLS) {
      return vertx.executeBlocking(() -> jobRequest.parse(body), false);
    }
    try {
      return Future.succeededFuture(jobRequest.parse(body));
    } catch (Problem.Refused invalid) {
      return Future.failedFuture(invalid);
    }
  }

  /**
   * Stores the job (or finds the earlier one with the same key) and, for a new job, asks the fetcher to run it.
   * Completes with the stored job and "replayed" once it is committed.
   */
  Future<StoreApi.Created> submit(JobSpec spec, String idempotencyKey) {
    return store.create(new StoreApi.NewJob(spec, idempotencyKey))
        .onSuccess(created -> {
          if (!created.replayed()) {
            String id = created.job().id();
            // Committed: acknowledge now. A lost run request is healed by the fetcher's sweep for unfinished jobs.
            fetch.run(id)
                .onFailure(err -> LOG.warn("job {} stored but not handed to a fetcher yet: {}", id, err.toString()));
          }
        });
  }

  /** The {@code fetchbus.jobs.submit} consumer: a bad job is BAD_INPUT with the text HTTP would put in "detail". */
  Future<JobsApi.Submitted> submitFromBus(JsonObject request) {
    JsonObject body = request.copy();
    Object key = body.remove(KEY_FIELD);
    if (key != null && !(key instanceof String)) {
      return Future.failedFuture(FailureCode.BAD_INPUT.exception("'" + KEY_FIELD + "' must be a string"));
    }
    // The HTTP contract is the one rule for the key and the body's shape: the key is checked as its header.
    return spec.check(JobRoutes.SUBMIT_JOB, key == null ? Map.of() : Map.of(JobRoutes.IDEMPOTENCY_KEY, (String) key),
            body, JobRoutes.PROBLEMS)
        .compose(validated -> parse(body))
        .recover(err -> Future.failedFuture(err instanceof Problem.Refused invalid
            ? FailureCode.BAD_INPUT.exception(invalid.problem.detail()) : err))
        .compose(job -> submit(job, (String) key))
        .map(created -> new JobsApi.Submitted(created.job().id(), created.job().status(), created.replayed()));
  }
}
