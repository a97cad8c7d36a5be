package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** What a user asked for: the URLs (in order; a URL's index is its {@code seq}) and the job's options. */
public record JobSpec(List<String> urls, JobOptions options) {

  public JsonObject toJson() {
    return new JsonObject().put("urls", new JsonArray(List.copyOf(urls))).put("options", options.toJson());
  }

  public static JobSpec fromJson(JsonObject json) {
    @SuppressWarnings("unchecked")
    List<String> list = (List<String>) (List<?>) json.getJsonArray("urls").getList();
    return new JobSpec(list, JobOptions.fromJson(json.getJsonObject("options")));
  }
}
