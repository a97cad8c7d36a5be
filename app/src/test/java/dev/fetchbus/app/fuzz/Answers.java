package dev.fetchbus.app.fuzz;

import dev.fetchbus.app.fuzz.Contract.Operation;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Whether an answer keeps the contract: a status the operation declares (or one the middleware may give any request),
 * every error an RFC 9457 problem whose status is the answer's, and every success in a declared media type with a
 * body that parses and fits its schema. Returns what is wrong, or nothing.
 */
public final class Answers {
  /** What the middleware may answer to any request: unknown route or method, body too large or of the wrong type, rate limit. */
  public static final Set<Integer> MIDDLEWARE = Set.of(404, 405, 413, 415, 429);
  /** What the HTTP server answers to a request it cannot read: bad syntax, a request line or headers too long. */
  public static final Set<Integer> UNREADABLE = Set.of(400, 414, 431);
  private static final Pattern PROBLEM_TYPE = Pattern.compile("^urn:fetchbus:problem:[a-z-]+$");
  private static final String CSV_HEADER = "seq,url,outcome,httpStatus,bytes,sha256,durationMs,attempts,decoded,path";

  private final Contract contract;
  private final Map<String, Object> problemSchema;

  public Answers(Contract contract) {
    this.contract = contract;
    this.problemSchema = contract.schema("Problem");
  }

  /** Where a bearer token is asked for, before any route is looked up (README, "Middleware"). */
  private static final List<String> PROTECTED = List.of("/api/", "/ws/jobs/", "/admin/");

  /**
   * The statuses allowed for a request at {@code path} that may reach the {@code operations} (none: no operation
   * matches its method and path).
   */
  public static Set<Integer> allowed(List<Operation> operations, String path, Set<FuzzCase.Flag> flags,
                                     int requestLineLength, int headerBytes) {
    Set<Integer> allowed = new TreeSet<>(MIDDLEWARE);
    operations.forEach(operation -> allowed.addAll(operation.statuses()));
    if (PROTECTED.stream().anyMatch(p -> path.startsWith(p) || path.equals(p.substring(0, p.length() - 1)))) {
      allowed.addAll(Set.of(401, 403));
    }
    if (flags.contains(FuzzCase.Flag.ODD_PATH)) {
      allowed.add(400);
    }
    if (flags.contains(FuzzCase.Flag.MALFORMED)) {
      allowed.addAll(UNREADABLE);
    }
    // Vert.x's defaults (HttpServerOptions): a request line over 4096 bytes, headers over 8192.
    if (requestLineLength > 4096) {
      allowed.add(414);
    }
    if (headerBytes > 8192) {
      allowed.add(431);
    }
    return allowed;
  }

  /** Whether every {@code %} of a request target starts a valid escape: a target that does not decode is unreadable. */
  public static boolean decodes(String target) {
    for (int i = target.indexOf('%'); i >= 0; i = target.indexOf('%', i + 1)) {
      if (i + 2 >= target.length() || Character.digit(target.charAt(i + 1), 16) < 0
          || Character.digit(target.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether a header value is visible ASCII, spaces and tabs only: anything else a server may refuse with a 400. */
  public static boolean plainFieldValue(String value) {
    return value.chars().allMatch(c -> c == '\t' || c >= 0x20 && c < 0x7f);
  }

  /** What is wrong with the answer, or an empty list. */
  public List<String> check(Operation operation, String method, Set<Integer> allowed, RawHttp.Response response,
                            String accept) {
    List<String> wrong = new ArrayList<>();
    int status = response.status();
    if (!allowed.contains(status)) {
      wrong.add("status " + status + " is not one of " + allowed);
    }
    boolean head = method.equalsIgnoreCase("HEAD");
    if (status >= 400) {
      problem(response, head, wrong);
      if ((status == 429 || status == 503) && !isInteger(response.header("Retry-After"))) {
        wrong.add(status + " without a Retry-After in seconds");
      }
      if (status == 401 && response.header("WWW-Authenticate") == null) {
        wrong.add("401 without WWW-Authenticate");
      }
    } else if (operation != null && !head && status >= 200 && status < 300) {
      success(operation, response, accept, wrong);
    }
    return wrong;
  }

  private void problem(RawHttp.Response response, boolean head, List<String> wrong) {
    String type = RawHttp.baseType(response.header("Content-Type"));
    if (!"application/problem+json".equals(type)) {
      wrong.add("an error as " + type + ", not application/problem+json");
      return;
    }
    if (head) {
      return;
    }
    Object body = json(response.body(), wrong);
    if (!(body instanceof JsonObject problem)) {
      wrong.add("a problem that is not a JSON object");
      return;
    }
    SchemaCheck.check(problem, problemSchema, "", wrong);
    if (!(problem.getValue("detail") instanceof String)) {
      wrong.add("a problem without a detail");
    }
    if (!Integer.valueOf(response.status()).equals(problem.getValue("status"))) {
      wrong.add("a problem whose status " + problem.getValue("status") + " is not the answer's " + response.status());
    }
    if (problem.getValue("type") instanceof String t && !PROBLEM_TYPE.matcher(t).matches()) {
      wrong.add("a problem type " + t);
    }
  }

  private void success(Operation operation, RawHttp.Response response, String accept, List<String> wrong) {
    Map<String, Map<String, Object>> declared = operation.responses().get(response.status());
    if (declared == null || declared.isEmpty()) {
      if (response.body().length > 0 && response.status() == 204) {
        wrong.add("a 204 with a body");
      }
      return;
    }
    String type = RawHttp.baseType(response.header("Content-Type"));
    if (!declared.containsKey(type)) {
      if (!declared.containsKey("*/*")) {
        wrong.add("a " + response.status() + " as " + type + ", not " + declared.keySet());
      }
      return; // bytes of any type, as they were stored
    }
    Map<String, Object> schema = declared.get(type);
    byte[] body = response.body();
    switch (type == null ? "" : type) {
      case "application/json" -> {
        Object value = json(body, wrong);
        if (value != null || wrong.isEmpty()) {
          SchemaCheck.check(value, schema, "", wrong);
        }
      }
      case "application/x-ndjson" -> lines(new String(body, StandardCharsets.UTF_8), schema, wrong);
      case "text/csv" -> {
        if (!new String(body, StandardCharsets.UTF_8).startsWith(CSV_HEADER + "\r\n")) {
          wrong.add("CSV without its header row");
        }
      }
      case "text/event-stream" -> event(new String(body, StandardCharsets.UTF_8), wrong);
      case "application/gzip" -> gzip(body, accept, wrong);
      case "application/yaml" -> {
        if (!java.util.Arrays.equals(body, Contract.bytes())) {
          wrong.add("GET /openapi.yaml is not the contract");
        }
      }
      case "text/plain" -> {
        if (body.length == 0) {
          wrong.add("an empty text body");
        }
      }
      default -> {
      }
    }
  }

  private void lines(String text, Map<String, Object> schema, List<String> wrong) {
    for (String line : text.split("\n")) {
      if (!line.isEmpty()) {
        Object value = json(line.getBytes(StandardCharsets.UTF_8), wrong);
        SchemaCheck.check(value, schema, "", wrong);
        if (!wrong.isEmpty()) {
          return;
        }
      }
    }
  }

  private void event(String text, List<String> wrong) {
    if (!text.startsWith("event: progress\ndata: ")) {
      wrong.add("an event stream that does not begin with a progress event: " + text);
      return;
    }
    String data = text.substring("event: progress\ndata: ".length()).split("\n", 2)[0];
    SchemaCheck.check(json(data.getBytes(StandardCharsets.UTF_8), wrong), contract.schema("Progress"), "", wrong);
  }

  private void gzip(byte[] body, String accept, List<String> wrong) {
    String text;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      wrong.add("a report that is not gzip: " + e);
      return;
    }
    boolean csv = accept != null && accept.contains("text/csv")
        && (!accept.contains("application/x-ndjson") || accept.indexOf("text/csv") < accept.indexOf("application/x-ndjson"));
    if (csv) {
      if (!text.startsWith(CSV_HEADER + "\r\n")) {
        wrong.add("a CSV report without its header row");
      }
    } else {
      lines(text, contract.schema("Result"), wrong);
    }
  }

  private static Object json(byte[] bytes, List<String> wrong) {
    try {
      return Json.decodeValue(new String(bytes, StandardCharsets.UTF_8));
    } catch (DecodeException e) {
      wrong.add("a body that is not JSON: " + e.getMessage());
      return null;
    }
  }

  private static boolean isInteger(String text) {
    return text != null && text.matches("[0-9]+");
  }

  /** The JSON Schema keywords the contract's response schemas use. */
  static final class SchemaCheck {
    private SchemaCheck() {
    }

    static void check(Object value, Map<String, Object> schema, String at, List<String> wrong) {
      if (schema == null) {
        return;
      }
      List<String> types = SchemaValues.types(schema);
      if (!schema.containsKey("type") && !schema.containsKey("properties")) {
        types = List.of();
      }
      if (!types.isEmpty() && types.stream().noneMatch(t -> is(value, t))) {
        wrong.add(at + ": " + value + " is not " + types);
        return;
      }
      if (schema.get("enum") instanceof List<?> values && !values.contains(value)) {
        wrong.add(at + ": " + value + " is not one of " + values);
      }
      if (schema.get("const") != null && !schema.get("const").equals(value)) {
        wrong.add(at + ": " + value + " is not " + schema.get("const"));
      }
      if (value instanceof String text) {
        format(text, String.valueOf(schema.get("format")), at, wrong);
        if (schema.get("pattern") instanceof String pattern && !Pattern.compile(pattern).matcher(text).find()) {
          wrong.add(at + ": " + text + " does not match " + pattern);
        }
      }
      if (value instanceof JsonObject object) {
        if (schema.get("required") instanceof List<?> required) {
          required.stream().map(String::valueOf).filter(name -> !object.containsKey(name))
              .forEach(name -> wrong.add(at + "/" + name + ": missing"));
        }
        Map<String, Object> properties = Contract.map(schema.get("properties"));
        if (properties != null) {
          properties.forEach((name, property) -> {
            if (object.containsKey(name)) {
              check(object.getValue(name), Contract.map(property), at + "/" + name, wrong);
            }
          });
        }
      }
      if (value instanceof JsonArray array && schema.get("items") != null) {
        for (int i = 0; i < array.size(); i++) {
          check(array.getValue(i), Contract.map(schema.get("items")), at + "/" + i, wrong);
        }
      }
    }

    private static boolean is(Object value, String type) {
      return switch (type) {
        case "null" -> value == null;
        case "string" -> value instanceof String;
        case "boolean" -> value instanceof Boolean;
        case "integer" -> value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger;
        case "number" -> value instanceof Number;
        case "object" -> value instanceof JsonObject;
        case "array" -> value instanceof JsonArray;
        default -> true;
      };
    }

    private static void format(String text, String format, String at, List<String> wrong) {
      try {
        switch (format) {
          case "uuid" -> {
            if (!UUID.fromString(text).toString().equals(text)) {
              wrong.add(at + ": " + text + " is not a UUID in its canonical form");
            }
          }
          case "date-time" -> OffsetDateTime.parse(text);
          default -> {
          }
        }
      } catch (IllegalArgumentException | DateTimeParseException e) {
        wrong.add(at + ": " + text + " is not a " + format);
      }
    }
  }
}
