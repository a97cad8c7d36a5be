package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobOptions.Limit;
import dev.fetchbus.verticles.bus.JobSpec;
import dev.fetchbus.verticles.guard.AddressGuard;
import dev.fetchbus.verticles.guard.HostLiteral;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Validates the body of {@code POST /api/jobs} into a {@link JobSpec}, or says precisely what is wrong. */
final class JobRequest {
  private static final Set<String> FIELDS = Set.of("urls", "concurrency", "perHost", "timeouts", "retries",
      "redirects", "maxBodyBytes", "body", "decode", "callbackUrl", "perHostDelayMs", "headers");
  private static final Set<Limit> TOP_LEVEL = Set.of(Limit.CONCURRENCY, Limit.PER_HOST, Limit.RETRIES,
      Limit.REDIRECTS, Limit.MAX_BODY_BYTES, Limit.PER_HOST_DELAY_MS);
  // The fetcher sets these itself, or they describe one connection rather than the request (RFC 9110 7.6.1).
  private static final Set<String> FORBIDDEN_HEADERS = Set.of("host", "content-length", "transfer-encoding",
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "proxy-authenticate",
      "proxy-authorization");
  private static final int MAX_HEADER_VALUE = 8_192;
  private static final Set<Limit> TIMEOUTS = Set.of(Limit.CONNECT_MS, Limit.RESPONSE_MS, Limit.IDLE_MS,
      Limit.TOTAL_MS, Limit.DEADLINE_MS);
  private static final int MAX_REPORTED = 20;

  private final int maxUrls;
  private final int maxUrlLength;
  private final AddressGuard guard;

  /** {@code guard}: the fetcher's, which a callback URL whose host is a literal address must pass. */
  JobRequest(JsonObject limits, AddressGuard guard) {
    this.maxUrls = limits.getInteger("maxUrls");
    this.maxUrlLength = limits.getInteger("maxUrlLength");
    this.guard = guard;
  }

  JobSpec parse(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw Fault.UNKNOWN_FIELD.exception("unknown field '" + field + "'; known fields: " + FIELDS);
      }
    }
    Object rawUrls = body.getValue("urls");
    if (!(rawUrls instanceof JsonArray urls) || urls.isEmpty()) {
      throw Fault.MISSING_URLS.exception("'urls' must be a non-empty array of http(s) URLs");
    }
    if (urls.size() > maxUrls) {
      throw Fault.TOO_MANY_URLS.exception(
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
      throw new Problem.Refused(Fault.INVALID_URL.problem(
              bad + " of the URLs are not absolute http(s) URLs (the first " + errors.size() + " are listed)")
          .with("errors", errors));
    }
    Object callback = body.getValue("callbackUrl");
    if (callback != null) {
      String reason = callback instanceof String url ? callbackProblem(url) : "not a string";
      if (reason != null) {
        throw Fault.INVALID_OPTION.exception("'callbackUrl' must be an absolute http(s) URL the fetcher may reach: "
            + reason);
      }
    }
    return new JobSpec(accepted, options(body), (String) callback);
  }

  /**
   * What is wrong with a callback URL, or null: a URL that fails the check of job URLs, or whose host is a literal
   * address (in any form a resolver reads) that the address guard refuses, could never be delivered. A host name is
   * checked when the callback is sent, after DNS.
   */
  private String callbackProblem(String url) {
    String problem = urlProblem(url);
    if (problem != null) {
      return problem;
    }
    String host = URI.create(url).getHost();
    Optional<InetAddress> literal;
    try {
      literal = HostLiteral.address(host);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return literal.filter(address -> !guard.permits(address))
        .map(address -> "the host " + host + " is the address " + address.getHostAddress() + ", which the address"
            + " guard refuses (loopback, private, link-local or otherwise internal; fetch.allow lists the ranges"
            + " that are allowed)")
        .orElse(null);
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
        throw Fault.INVALID_OPTION.exception("'timeouts' must be an object");
      }
      for (String field : t.fieldNames()) {
        if (TIMEOUTS.stream().noneMatch(l -> l.field.equals(field))) {
          throw Fault.UNKNOWN_FIELD.exception("unknown field 'timeouts." + field + "'");
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
        throw Fault.INVALID_OPTION.exception("'body' must be \"digest\" or \"mirror\"");
      }
      checked.put("body", mode);
    }
    Object headers = body.getValue("headers");
    if (headers != null) {
      checked.put("headers", headers(headers));
    }
    Object decode = body.getValue("decode");
    if (decode != null) {
      if (!(decode instanceof Boolean)) {
        throw Fault.INVALID_OPTION.exception("'decode' must be true or false");
      }
      checked.put("decode", decode);
    }
    return JobOptions.fromJson(checked);
  }

  /** Request headers for every fetch of the job: names that are HTTP tokens and not the fetcher's own. */
  private static JsonObject headers(Object value) {
    if (!(value instanceof JsonObject headers)) {
      throw Fault.INVALID_OPTION.exception("'headers' must be an object of header names to string values");
    }
    if (headers.size() > JobOptions.MAX_HEADERS) {
      throw Fault.INVALID_OPTION.exception("'headers' takes at most " + JobOptions.MAX_HEADERS + " headers; this one has "
          + headers.size());
    }
    JsonObject checked = new JsonObject();
    for (String name : headers.fieldNames()) {
      if (name.isEmpty() || !name.chars().allMatch(JobRequest::isTokenChar)) {
        throw Fault.INVALID_OPTION.exception("'headers': '" + name + "' is not a header name");
      }
      if (FORBIDDEN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        throw Fault.INVALID_OPTION.exception("'headers': " + name + " is set by the fetcher or is hop-by-hop;"
            + " not allowed: " + new java.util.TreeSet<>(FORBIDDEN_HEADERS));
      }
      if (checked.containsKey(name) || checked.fieldNames().stream().anyMatch(name::equalsIgnoreCase)) {
        throw Fault.INVALID_OPTION.exception("'headers': " + name + " is given twice");
      }
      Object text = headers.getValue(name);
      if (!(text instanceof String s) || s.length() > MAX_HEADER_VALUE
          || s.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
        throw Fault.INVALID_OPTION.exception("'headers': the value of " + name + " must be a string of at most "
            + MAX_HEADER_VALUE + " characters without CR, LF or NUL");
      }
      checked.put(name, text);
    }
    return checked;
  }

  /** RFC 9110 5.6.2 tchar. */
  private static boolean isTokenChar(int c) {
    return c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
  }

  private static void checkNumber(JsonObject from, Limit limit, JsonObject into, String prefix) {
    Object value = from.getValue(limit.field);
    if (value == null) {
      return;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < limit.min
        || ((Number) value).longValue() > limit.max) {
      throw Fault.INVALID_OPTION.exception(
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

  /**
   * The problem for a body that broke the job schema of docs/openapi.yaml, by the JSON pointer and keyword at fault:
   * the same types this class answers with.
   */
  static Problem schemaProblem(String pointer, String keyword, String detail) {
    Fault fault;
    if (keyword.equals("additionalProperties")) {
      fault = Fault.UNKNOWN_FIELD;
    } else if (pointer.isEmpty()) {
      fault = Fault.INVALID_JSON;
    } else if (pointer.equals("/urls")) {
      fault = keyword.equals("maxItems") ? Fault.TOO_MANY_URLS : Fault.MISSING_URLS;
    } else if (pointer.startsWith("/urls/")) {
      fault = Fault.INVALID_URL;
    } else {
      fault = Fault.INVALID_OPTION;
    }
    return fault.problem(detail);
  }

  /** What can be wrong with a job body, as problem types. */
  enum Fault {
    INVALID_JSON("invalid-json", "Malformed JSON"),
    UNKNOWN_FIELD("unknown-field", "Unknown field"),
    MISSING_URLS("missing-urls", "Missing URLs"),
    TOO_MANY_URLS("too-many-urls", "Too many URLs"),
    INVALID_URL("invalid-url", "Invalid URL"),
    INVALID_OPTION("invalid-option", "Invalid option");

    private final String slug;
    private final String title;

    Fault(String slug, String title) {
      this.slug = slug;
      this.title = title;
    }

    Problem problem(String detail) {
      return Problem.of(400, slug, title, detail);
    }

    Problem.Refused exception(String detail) {
      return new Problem.Refused(problem(detail));
    }
  }
}
