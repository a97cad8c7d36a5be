package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonObject;

/**
 * The result of fetching one URL. {@code httpStatus} is null when no response arrived; {@code sha256} is the hex
 * digest of the body bytes read (null when no body was read whole); {@code decoded} says whether {@code bytes} and
 * {@code sha256} measured the decoded body (the job asked for decoding and the response was gzip/deflate) rather
 * than the bytes on the wire; {@code path} is the mirror file, relative to the data dir (mirror jobs, outcome ok);
 * {@code url} is null on the write path.
 */
public record FetchResult(int seq, String url, Outcome outcome, Integer httpStatus, long bytes, String sha256,
                          long durationMs, int attempts, boolean decoded, String path) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("seq", seq)
        .put("url", url)
        .put("outcome", outcome.wire())
        .put("httpStatus", httpStatus)
        .put("bytes", bytes)
        .put("sha256", sha256)
        .put("durationMs", durationMs)
        .put("attempts", attempts)
        .put("decoded", decoded)
        .put("path", path);
  }

  public static FetchResult fromJson(JsonObject json) {
    return new FetchResult(json.getInteger("seq"), json.getString("url"), Outcome.fromWire(json.getString("outcome")),
        json.getInteger("httpStatus"), json.getLong("bytes"), json.getString("sha256"), json.getLong("durationMs"),
        json.getInteger("attempts"), json.getBoolean("decoded", false), json.getString("path"));
  }
}
