package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a user asked for: the URLs (in order; a URL's index is its {@code seq}), the job's options, and where to
 * POST the job's summary when it ends ({@code callbackUrl}, may be null).
 */
public record JobSpec(List<String> urls, JobOptions options, String callbackUrl) {

  public JsonObject toJson() {
    return new JsonObject().put("urls", new JsonArray(List.copyOf(urls))).put("options", options.toJson())
        .put("callbackUrl", callbackUrl);
  }

  public static JobSpec fromJson(JsonObject json) {
    @SuppressWarnings("unchecked")
    List<String> list = (List<String>) (List<?>) json.getJsonArray("urls").getList();
    return new JobSpec(list, JobOptions.fromJson(json.getJsonObject("options")), json.getString("callbackUrl"));
  }
}
