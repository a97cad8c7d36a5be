package dev.fetchbus.verticles.http;

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
  private static final Set<String> FIELDS = Set.of("urls", "concurrency");
  private static final int MAX_REPORTED = 20;

  private final int maxUrls;
  private final int maxUrlLength;
  private final int defaultConcurrency;
  private final int maxConcurrency;

  JobRequest(JsonObject limits) {
    this.maxUrls = limits.getInteger("maxUrls");
    this.maxUrlLength = limits.getInteger("maxUrlLength");
    this.defaultConcurrency = limits.getInteger("defaultConcurrency");
    this.maxConcurrency = limits.getInteger("maxConcurrency");
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
    return new JobSpec(accepted, concurrency(body.getValue("concurrency")));
  }

  private int concurrency(Object value) {
    if (value == null) {
      return defaultConcurrency;
    }
    if (!(value instanceof Integer n) || n < 1 || n > maxConcurrency) {
      throw invalid("invalid-option", "Invalid option", "'concurrency' must be an integer from 1 to " + maxConcurrency);
    }
    return n;
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
