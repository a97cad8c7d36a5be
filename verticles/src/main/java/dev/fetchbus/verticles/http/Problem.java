package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.files.StorageException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/**
 * An RFC 9457 problem: a type URI, a status, a title, a detail, and extension members.
 * {@link #from(Throwable)} is the one place where failures become HTTP statuses.
 */
public record Problem(String type, int status, String title, String detail, JsonObject extensions) {
  public static final String CONTENT_TYPE = "application/problem+json";
  private static final String TYPE_PREFIX = "urn:fetchbus:problem:";

  public static Problem of(int status, String slug, String title, String detail) {
    return new Problem(TYPE_PREFIX + slug, status, title, detail, new JsonObject());
  }

  public Problem with(String key, Object value) {
    return new Problem(type, status, title, detail, extensions.copy().put(key, value));
  }

  public JsonObject toJson(String instance) {
    return new JsonObject().put("type", type).put("title", title).put("status", status).put("detail", detail)
        .put("instance", instance).mergeIn(extensions);
  }

  /** The problem for a failure that reached an HTTP handler: from the event bus, or from validation. */
  public static Problem from(Throwable failure) {
    if (failure instanceof Refused invalid) {
      return invalid.problem;
    }
    if (failure instanceof StorageException storage) {
      return of(507, "insufficient-storage", "Insufficient storage", storage.full()
          ? "the server's volume is full: nothing was stored" : "the server could not store the data: nothing was stored");
    }
    if (failure instanceof FailureCode.BusFailure local) {
      return ofCode(local.code, local.getMessage());
    }
    if (failure instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case TIMEOUT -> of(503, "unavailable", "Service unavailable", "a component did not answer in time");
        case NO_HANDLERS -> of(503, "unavailable", "Service unavailable", "a component is not running");
        case RECIPIENT_FAILURE, ERROR -> ofCode(FailureCode.of(reply), reply.getMessage());
      };
    }
    return of(500, "internal", "Internal error", "an unexpected error occurred");
  }

  private static Problem ofCode(FailureCode code, String text) {
    return switch (code) {
      case BAD_INPUT -> of(400, "bad-input", "Bad input", text);
      case NOT_FOUND -> of(404, "not-found", "Not found", text);
      case CONFLICT -> of(409, "conflict", "Conflict", text);
      case UNAVAILABLE -> of(503, "unavailable", "Service unavailable", text);
      case OVERLOADED -> of(503, "overloaded", "Service overloaded", text);
      case INTERNAL -> of(500, "internal", "Internal error", "an unexpected error occurred");
    };
  }

  /**
   * A request refused with a known problem (its status any 4xx or a 503): bad input, a missing or invalid token, a
   * rate limit, a body too large, a report not ready. Failed with it, a route answers that problem as it is; any other
   * failure is a 500 {@code internal}.
   */
  public static final class Refused extends RuntimeException {
    public final Problem problem;

    public Refused(Problem problem) {
      super(problem.detail(), null, false, false);
      this.problem = problem;
    }
  }
}
