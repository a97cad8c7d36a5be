package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a job fetches. Defaults and caps live in {@link Limit}: the one table of them (README documents it).
 * Times are milliseconds; {@code deadlineMs} 0 means no job deadline; {@code redirects} 0 means do not follow;
 * {@code perHostDelayMs} 0 means no gap between fetches to one host. {@code headers}: sent with every request of the
 * job, in order (validated on submit).
 */
public record JobOptions(int concurrency, int perHost, long connectMs, long responseMs, long idleMs, long totalMs,
                         long deadlineMs, int retries, int redirects, long maxBodyBytes, BodyMode body,
                         boolean decode, long perHostDelayMs, Map<String, String> headers) {

  /** The most request headers a job may set. */
  public static final int MAX_HEADERS = 32;

  public enum BodyMode {
    DIGEST,
    MIRROR
  }

  /** An option's JSON name, default, minimum and maximum. */
  public enum Limit {
    CONCURRENCY("concurrency", 64, 1, 1024),
    PER_HOST("perHost", 8, 1, 1024),
    CONNECT_MS("connectMs", 10_000, 1, 120_000),
    RESPONSE_MS("responseMs", 30_000, 1, 600_000),
    IDLE_MS("idleMs", 30_000, 1, 600_000),
    TOTAL_MS("totalMs", 300_000, 1, 86_400_000),
    DEADLINE_MS("deadlineMs", 0, 0, 7 * 86_400_000L),
    RETRIES("retries", 2, 0, 10),
    REDIRECTS("redirects", 5, 0, 20),
    MAX_BODY_BYTES("maxBodyBytes", 64L << 20, 1, 1L << 40),
    PER_HOST_DELAY_MS("perHostDelayMs", 0, 0, 60_000);

    public final String field;
    public final long defaultValue;
    public final long min;
    public final long max;

    Limit(String field, long defaultValue, long min, long max) {
      this.field = field;
      this.defaultValue = defaultValue;
      this.min = min;
      this.max = max;
    }
  }

  public static JobOptions defaults() {
    return fromJson(new JsonObject());
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("concurrency", concurrency)
        .put("perHost", perHost)
        .put("timeouts", new JsonObject().put("connectMs", connectMs).put("responseMs", responseMs)
            .put("idleMs", idleMs).put("totalMs", totalMs).put("deadlineMs", deadlineMs))
        .put("retries", retries)
        .put("redirects", redirects)
        .put("maxBodyBytes", maxBodyBytes)
        .put("body", body.name().toLowerCase(java.util.Locale.ROOT))
        .put("decode", decode)
        .put("perHostDelayMs", perHostDelayMs)
        .put("headers", new JsonObject(new LinkedHashMap<>(headers)));
  }

  /** Reads options that were validated before they were stored or sent; absent fields take their defaults. */
  public static JobOptions fromJson(JsonObject json) {
    JsonObject t = json.getJsonObject("timeouts", new JsonObject());
    return new JobOptions(
        (int) get(json, Limit.CONCURRENCY), (int) get(json, Limit.PER_HOST),
        get(t, Limit.CONNECT_MS), get(t, Limit.RESPONSE_MS), get(t, Limit.IDLE_MS), get(t, Limit.TOTAL_MS),
        get(t, Limit.DEADLINE_MS), (int) get(json, Limit.RETRIES), (int) get(json, Limit.REDIRECTS),
        get(json, Limit.MAX_BODY_BYTES),
        BodyMode.valueOf(json.getString("body", "digest").toUpperCase(java.util.Locale.ROOT)),
        json.getBoolean("decode", false), get(json, Limit.PER_HOST_DELAY_MS), headers(json.getJsonObject("headers")));
  }

  private static Map<String, String> headers(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    json.forEach(header -> headers.put(header.getKey(), (String) header.getValue()));
    return Collections.unmodifiableMap(headers);
  }

  private static long get(JsonObject json, Limit limit) {
    Number n = (Number) json.getValue(limit.field);
    return n == null ? limit.defaultValue : n.longValue();
  }
}
