package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonObject;

/**
 * The result of fetching one URL. {@code httpStatus} is null when no response arrived; {@code sha256} is the hex
 * digest of the body bytes read (null when no body was read); {@code url} is null on the write path.
 */
public record FetchResult(int seq, String url, Outcome outcome, Integer httpStatus, long bytes, String sha256,
                          long durationMs, int attempts) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("seq", seq)
        .put("url", url)
        .put("outcome", outcome.wire())
        .put("httpStatus", httpStatus)
        .put("bytes", bytes)
        .put("sha256", sha256)
        .put("durationMs", durationMs)
        .put("attempts", attempts);
  }

  public static FetchResult fromJson(JsonObject json) {
    return new FetchResult(json.getInteger("seq"), json.getString("url"), Outcome.fromWire(json.getString("outcome")),
        json.getInteger("httpStatus"), json.getLong("bytes"), json.getString("sha256"), json.getLong("durationMs"),
        json.getInteger("attempts"));
  }
}
