package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Results on their way to the store, in columns: one array per field, the i-th entries describing one URL. A batch
 * of 500 results is then ten arrays of primitives instead of 500 objects, which the event bus copies cheaply and
 * the store binds to its multi-row insert as they are.
 */
public record ResultBatch(String jobId, List<FetchResult> results) {
  private static final String[] COLUMNS =
      {"seq", "outcome", "httpStatus", "bytes", "sha256", "durationMs", "attempts", "decoded", "path"};

  public JsonObject toJson() {
    JsonArray[] columns = new JsonArray[COLUMNS.length];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = new JsonArray(new ArrayList<>(results.size()));
    }
    for (FetchResult r : results) {
      columns[0].add(r.seq());
      columns[1].add(r.outcome().wire());
      columns[2].add(r.httpStatus());
      columns[3].add(r.bytes());
      columns[4].add(r.sha256());
      columns[5].add(r.durationMs());
      columns[6].add(r.attempts());
      columns[7].add(r.decoded());
      columns[8].add(r.path());
    }
    JsonObject json = new JsonObject().put("id", jobId);
    for (int c = 0; c < columns.length; c++) {
      json.put(COLUMNS[c], columns[c]);
    }
    return json;
  }

  public static ResultBatch fromJson(JsonObject json) {
    JsonArray seq = json.getJsonArray("seq");
    List<FetchResult> results = new ArrayList<>(seq.size());
    for (int i = 0; i < seq.size(); i++) {
      results.add(new FetchResult(seq.getInteger(i), null,
          Outcome.fromWire(json.getJsonArray("outcome").getString(i)), json.getJsonArray("httpStatus").getInteger(i),
          json.getJsonArray("bytes").getLong(i), json.getJsonArray("sha256").getString(i),
          json.getJsonArray("durationMs").getLong(i), json.getJsonArray("attempts").getInteger(i),
          json.getJsonArray("decoded").getBoolean(i), json.getJsonArray("path").getString(i)));
    }
    return new ResultBatch(json.getString("id"), results);
  }
}
