package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.JobSpec;
import dev.fetchbus.verticles.guard.AddressGuard;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
  private final Bus bus;
  private final JobRequest jobRequest;

  JobSubmission(Vertx vertx, Bus bus, JsonObject jobLimits, AddressGuard guard) {
    this.vertx = vertx;
    this.bus = bus;
    this.jobRequest = new JobRequest(jobLimits, guard);
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
  Future<JsonObject> submit(JobSpec spec, String idempotencyKey) {
    return bus.request(Addresses.STORE_JOBS_CREATE, spec.toJson().put(KEY_FIELD, idempotencyKey))
        .onSuccess(job -> {
          if (!job.getBoolean("replayed", false)) {
            String id = job.getString("id");
            // Committed: acknowledge now. A lost run request is healed by the fetcher's sweep for unfinished jobs.
            bus.request(Addresses.FETCH_JOBS_RUN, new JsonObject().put("id", id))
                .onFailure(err -> LOG.warn("job {} stored but not handed to a fetcher yet: {}", id, err.toString()));
          }
        });
  }

  /** The {@code fetchbus.jobs.submit} consumer: a bad job is BAD_INPUT with the text HTTP would put in "detail". */
  Future<JsonObject> submitFromBus(JsonObject request) {
    JsonObject body = request.copy();
    Object key = body.remove(KEY_FIELD);
    String keyProblem = keyProblem(key);
    if (keyProblem != null) {
      return Future.failedFuture(FailureCode.BAD_INPUT.exception(keyProblem));
    }
    return parse(body)
        .recover(err -> Future.failedFuture(err instanceof Problem.Refused invalid
            ? FailureCode.BAD_INPUT.exception(invalid.problem.detail()) : err))
        .compose(spec -> submit(spec, (String) key))
        .map(job -> new JsonObject().put("id", job.getString("id"))
            .put("status", job.getString("status")).put("replayed", job.getBoolean("replayed", false)));
  }

  /**
   * What is wrong with a bus client's idempotency key, or null when it is absent or good: 1 to 255 visible ASCII
   * characters, the rule docs/openapi.yaml gives the HTTP header.
   */
  private static String keyProblem(Object key) {
    if (key == null) {
      return null;
    }
    if (!(key instanceof String text)) {
      return "'" + KEY_FIELD + "' must be a string";
    }
    boolean valid = !text.isEmpty() && text.length() <= 255 && text.chars().allMatch(c -> c > 32 && c < 127);
    return valid ? null : "an Idempotency-Key is 1 to 255 visible ASCII characters";
  }
}
