package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** What a user asked for: the URLs (in order; a URL's index is its {@code seq}) and the job's options. */
public record JobSpec(List<String> urls, int concurrency) {

  /** The options alone, as stored with the job. */
  public JsonObject options() {
    return new JsonObject().put("concurrency", concurrency);
  }

  public JsonObject toJson() {
    return options().put("urls", new JsonArray(List.copyOf(urls)));
  }

  /** Reads a spec that was validated before it was sent; the URL list may be absent (options only). */
  public static JobSpec fromJson(JsonObject json) {
    JsonArray urls = json.getJsonArray("urls", new JsonArray());
    @SuppressWarnings("unchecked")
    List<String> list = (List<String>) (List<?>) urls.getList();
    return new JobSpec(list, json.getInteger("concurrency"));
  }
}
