package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * A job as users see it: status, counts and timings. {@code bytes}: the body bytes of its stored results (decoded
 * ones, when it decodes). {@code storageErrors} counts the results that are
 * {@code storage_error}; when there are any, {@code warnings} says that the mirror volume is full or failing.
 * {@code callback} is where the job's callback stands, null for a job without a callback URL.
 */
public record JobView(String id, JobStatus status, int total, int completed, int succeeded, int failed,
                      int storageErrors, long bytes, OffsetDateTime createdAt, OffsetDateTime startedAt,
                      OffsetDateTime finishedAt, Callback callback) {

  /**
   * A job's callback: {@code pending} until it is delivered or given up ({@code attempts} 0 and no
   * {@code nextAttemptAt} while the job runs), {@code lastError} the last failed attempt's reason.
   */
  public record Callback(State state, int attempts, String lastError, OffsetDateTime nextAttemptAt) {
    /** The callback of a job that has not ended, or has only just: nothing tried yet. */
    public static final Callback NOT_TRIED = new Callback(State.PENDING, 0, null, null);

    public enum State {
      PENDING, DELIVERED, FAILED;

      public String wire() {
        return name().toLowerCase(Locale.ROOT);
      }

      static State fromWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
      }
    }

    JsonObject toJson() {
      return new JsonObject().put("state", state.wire()).put("attempts", attempts).put("lastError", lastError)
          .put("nextAttemptAt", text(nextAttemptAt));
    }

    static Callback fromJson(JsonObject json) {
      return json == null ? null : new Callback(State.fromWire(json.getString("state")), json.getInteger("attempts"),
          json.getString("lastError"), time(json.getString("nextAttemptAt")));
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("status", status.wire())
        .put("total", total)
        .put("completed", completed)
        .put("succeeded", succeeded)
        .put("failed", failed)
        .put("storageErrors", storageErrors)
        .put("bytes", bytes)
        .put("warnings", warnings())
        .put("createdAt", text(createdAt))
        .put("startedAt", text(startedAt))
        .put("finishedAt", text(finishedAt))
        .put("callback", callback == null ? null : callback.toJson());
  }

  private JsonArray warnings() {
    JsonArray warnings = new JsonArray();
    if (storageErrors > 0) {
      warnings.add(storageErrors + " response bodies could not be written to the mirror directory (outcome"
          + " storage_error): its volume is full or failing");
    }
    return warnings;
  }

  public static JobView fromJson(JsonObject json) {
    return new JobView(json.getString("id"), JobStatus.fromWire(json.getString("status")),
        json.getInteger("total"), json.getInteger("completed"), json.getInteger("succeeded"), json.getInteger("failed"),
        json.getInteger("storageErrors", 0), json.getLong("bytes", 0L), time(json.getString("createdAt")), time(json.getString("startedAt")), time(json.getString("finishedAt")),
        Callback.fromJson(json.getJsonObject("callback")));
  }

  private static String text(OffsetDateTime t) {
    return t == null ? null : java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
  }

  private static OffsetDateTime time(String s) {
    return s == null ? null : OffsetDateTime.parse(s);
  }
}
