package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A stored upload's metadata, as {@code GET /api/uploads/{id}} shows it. {@code missingAt} is set once its file was
 * found gone from the upload dir (its content is then 410 Gone); it is left out of the JSON while null.
 */
public record Upload(String id, long bytes, String sha256, String contentType, OffsetDateTime createdAt,
                     OffsetDateTime missingAt) {

  /** An upload about to be stored: no timestamps yet. */
  public Upload(String id, long bytes, String sha256, String contentType) {
    this(id, bytes, sha256, contentType, null, null);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("bytes", bytes)
        .put("sha256", sha256)
        .put("contentType", contentType)
        .put("createdAt", format(createdAt));
    if (missingAt != null) {
      json.put("missingAt", format(missingAt));
    }
    return json;
  }

  public static Upload fromJson(JsonObject json) {
    return new Upload(json.getString("id"), json.getLong("bytes"), json.getString("sha256"),
        json.getString("contentType"), parse(json.getString("createdAt")), parse(json.getString("missingAt")));
  }

  private static String format(OffsetDateTime time) {
    return time == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time);
  }

  private static OffsetDateTime parse(String time) {
    return time == null ? null : OffsetDateTime.parse(time);
  }
}
