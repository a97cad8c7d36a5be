package dev.fetchbus.verticles.bus;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;

/** How result rows leave: NDJSON (one JSON object a line, the default) or CSV (RFC 4180, with a header row). */
public enum ResultFormat {
  NDJSON("application/x-ndjson", "") {
    @Override
    public String line(JsonObject row) {
      return row.encode() + "\n";
    }
  },
  CSV("text/csv; charset=utf-8", "seq,url,outcome,httpStatus,bytes,sha256,durationMs,attempts,decoded,path\r\n") {
    @Override
    public String line(JsonObject row) {
      StringBuilder out = new StringBuilder(160);
      String[] fields = {"seq", "url", "outcome", "httpStatus", "bytes", "sha256", "durationMs", "attempts", "decoded",
          "path"};
      for (int i = 0; i < fields.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        Object value = row.getValue(fields[i]);
        out.append(value == null ? "" : quote(value.toString()));
      }
      return out.append("\r\n").toString();
    }
  };

  public final CharSequence contentType;
  public final String header;

  ResultFormat(String contentType, String header) {
    this.contentType = HttpHeaders.createOptimized(contentType);
    this.header = header;
  }

  public abstract String line(JsonObject row);

  /** The format's name where one is written: {@code ndjson} or {@code csv}. */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** CSV when the client accepts text/csv (and did not ask for NDJSON first), else NDJSON. */
  public static ResultFormat forAccept(String accept) {
    if (accept == null) {
      return NDJSON;
    }
    int csv = accept.indexOf("text/csv");
    int ndjson = accept.indexOf("application/x-ndjson");
    return csv >= 0 && (ndjson < 0 || csv < ndjson) ? CSV : NDJSON;
  }

  private static String quote(String value) {
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return value;
    }
    return "\"" + value.replace("\"", "\"\"") + "\"";
  }
}
