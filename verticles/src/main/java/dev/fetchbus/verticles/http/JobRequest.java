package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobOptions.Limit;
import dev.fetchbus.verticles.bus.JobSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Validates the body of {@code POST /api/jobs} into a {@link JobSpec}, or says precisely what is wrong. */
final class JobRequest {
  private static final Set<String> FIELDS = Set.of("urls", "concurrency", "perHost", "timeouts", "retries",
      "redirects", "maxBodyBytes", "body", "decode", "callbackUrl");
  private static final Set<Limit> TOP_LEVEL = Set.of(Limit.CONCURRENCY, Limit.PER_HOST, Limit.RETRIES,
      Limit.REDIRECTS, Limit.MAX_BODY_BYTES);
  private static final Set<Limit> TIMEOUTS = Set.of(Limit.CONNECT_MS, Limit.RESPONSE_MS, Limit.IDLE_MS,
      Limit.TOTAL_MS, Limit.DEADLINE_MS);
  private static final int MAX_REPORTED = 20;

  private final int maxUrls;
  private final int maxUrlLength;

  JobRequest(JsonObject limits) {
    this.maxUrls = limits.getInteger("maxUrls");
    this.maxUrlLength = limits.getInteger("maxUrlLength");
  }

  JobSpec parse(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw invalid("unknown-field", "Unknown field", "unknown field '" + field + "'; known fields: " + FIELDS);
      }
    }
    Object rawUrls = body.getValue("urls");
    if (!(rawUrls instanceof JsonArray urls) || urls.isEmpty()) {
      throw invalid("missing-urls", "Missing URLs", "'urls' must be a non-empty array of http(s) URLs");
    }
    if (urls.size() > maxUrls) {
      throw invalid("too-many-urls", "Too many URLs",
          "a job takes at most " + maxUrls + " URLs; this one has " + urls.size());
    }
    List<String> accepted = new ArrayList<>(urls.size());
    JsonArray errors = new JsonArray();
    int bad = 0;
    for (int i = 0; i < urls.size(); i++) {
      Object url = urls.getValue(i);
      String reason = url instanceof String s ? urlProblem(s) : "not a string";
      if (reason == null) {
        accepted.add((String) url);
      } else if (++bad <= MAX_REPORTED) {
        errors.add(new JsonObject().put("index", i).put("url", String.valueOf(url)).put("reason", reason));
      }
    }
    if (bad > 0) {
      throw new Problem.InvalidRequest(Problem.of(400, "invalid-url", "Invalid URL",
              bad + " of the URLs are not absolute http(s) URLs (the first " + errors.size() + " are listed)")
          .with("errors", errors));
    }
    Object callback = body.getValue("callbackUrl");
    if (callback != null && (!(callback instanceof String url) || urlProblem(url) != null)) {
      throw invalid("invalid-option", "Invalid option", "'callbackUrl' must be an absolute http(s) URL");
    }
    return new JobSpec(accepted, options(body), (String) callback);
  }

  /** Checks every option against its range; the stored form is the validated JSON, read by JobOptions. */
  private static JobOptions options(JsonObject body) {
    JsonObject checked = new JsonObject();
    for (Limit limit : TOP_LEVEL) {
      checkNumber(body, limit, checked, "");
    }
    Object timeouts = body.getValue("timeouts");
    if (timeouts != null) {
      if (!(timeouts instanceof JsonObject t)) {
        throw invalid("invalid-option", "Invalid option", "'timeouts' must be an object");
      }
      for (String field : t.fieldNames()) {
        if (TIMEOUTS.stream().noneMatch(l -> l.field.equals(field))) {
          throw invalid("unknown-field", "Unknown field", "unknown field 'timeouts." + field + "'");
        }
      }
      JsonObject checkedTimeouts = new JsonObject();
      for (Limit limit : TIMEOUTS) {
        checkNumber(t, limit, checkedTimeouts, "timeouts.");
      }
      checked.put("timeouts", checkedTimeouts);
    }
    Object mode = body.getValue("body");
    if (mode != null) {
      if (!"digest".equals(mode) && !"mirror".equals(mode)) {
        throw invalid("invalid-option", "Invalid option", "'body' must be \"digest\" or \"mirror\"");
      }
      checked.put("body", mode);
    }
    Object decode = body.getValue("decode");
    if (decode != null) {
      if (!(decode instanceof Boolean)) {
        throw invalid("invalid-option", "Invalid option", "'decode' must be true or false");
      }
      checked.put("decode", decode);
    }
    return JobOptions.fromJson(checked);
  }

  private static void checkNumber(JsonObject from, Limit limit, JsonObject into, String prefix) {
    Object value = from.getValue(limit.field);
    if (value == null) {
      return;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < limit.min
        || ((Number) value).longValue() > limit.max) {
      throw invalid("invalid-option", "Invalid option",
          "'" + prefix + limit.field + "' must be an integer from " + limit.min + " to " + limit.max);
    }
    into.put(limit.field, value);
  }

  private String urlProblem(String url) {
    if (url.length() > maxUrlLength) {
      return "longer than " + maxUrlLength + " characters";
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return e.getReason();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "scheme must be http or https";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "no host";
    }
    if (uri.getPort() > 65535) {
      return "port out of range";
    }
    return null;
  }

  private static Problem.InvalidRequest invalid(String slug, String title, String detail) {
    return new Problem.InvalidRequest(Problem.of(400, slug, title, detail));
  }
}
