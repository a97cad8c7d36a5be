package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;

/**
 * A job as users see it: status, counts and timings. {@code storageErrors} counts the results that are
 * {@code storage_error}; when there are any, {@code warnings} says that the mirror volume is full or failing.
 */
public record JobView(String id, JobStatus status, int total, int completed, int succeeded, int failed,
                      int storageErrors, OffsetDateTime createdAt, OffsetDateTime startedAt,
                      OffsetDateTime finishedAt) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("status", status.wire())
        .put("total", total)
        .put("completed", completed)
        .put("succeeded", succeeded)
        .put("failed", failed)
        .put("storageErrors", storageErrors)
        .put("warnings", warnings())
        .put("createdAt", text(createdAt))
        .put("startedAt", text(startedAt))
        .put("finishedAt", text(finishedAt));
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
        json.getInteger("storageErrors", 0), time(json.getString("createdAt")), time(json.getString("startedAt")), time(json.getString("finishedAt")));
  }

  private static String text(OffsetDateTime t) {
    return t == null ? null : java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
  }

  private static OffsetDateTime time(String s) {
    return s == null ? null : OffsetDateTime.parse(s);
  }
}
