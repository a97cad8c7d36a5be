package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/** A stored upload's metadata, as {@code GET /api/uploads/{id}} shows it. */
public record Upload(String id, long bytes, String sha256, String contentType, OffsetDateTime createdAt) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("bytes", bytes)
        .put("sha256", sha256)
        .put("contentType", contentType)
        .put("createdAt", createdAt == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(createdAt));
  }

  public static Upload fromJson(JsonObject json) {
    String created = json.getString("createdAt");
    return new Upload(json.getString("id"), json.getLong("bytes"), json.getString("sha256"),
        json.getString("contentType"), created == null ? null : OffsetDateTime.parse(created));
  }
}
