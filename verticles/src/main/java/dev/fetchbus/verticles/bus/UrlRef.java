package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonObject;

/** One URL of a job, with its position in the submitted list. */
public record UrlRef(int seq, String url) {

  public JsonObject toJson() {
    return new JsonObject().put("seq", seq).put("url", url);
  }

  public static UrlRef fromJson(JsonObject json) {
    return new UrlRef(json.getInteger("seq"), json.getString("url"));
  }
}
