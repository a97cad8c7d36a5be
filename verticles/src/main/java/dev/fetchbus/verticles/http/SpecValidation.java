package dev.fetchbus.verticles.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The HTTP contract, docs/openapi.yaml (bundled as {@value #RESOURCE}): served as it is written, and enforced by
 * per-operation handlers that routes put in front of their own. A request that breaks the contract fails with a 400
 * problem naming the field or parameter at fault.
 */
final class SpecValidation {
  static final String RESOURCE = "openapi/openapi.yaml";
  /** The routing-context key of the {@link ValidatedRequest}; its body is the parsed JSON, so nobody parses twice. */
  static final String VALIDATED = "fetchbus.validated";

  /** Where a failed value was. */
  enum Part { PATH, QUERY, HEADER, COOKIE, BODY }

  /**
   * The problem for a value that broke its schema, or null for the default ({@code invalid-query} for a query
   * parameter, else {@code invalid-request}). {@code field} is the parameter's name or, in the body, the JSON pointer
   * ("" for the whole body, also when it is empty or not JSON); {@code keyword} the JSON Schema keyword that failed
   * ({@code type} for a body that is not JSON); {@code detail} says where and what, e.g.
   * {@code /concurrency: must be at most 1024}.
   */
  @FunctionalInterface
  interface Problems {
    Problems DEFAULT = (part, field, keyword, detail) -> null;

    Problem of(Part part, String field, String keyword, String detail);
  }

  private static final Pattern PARAMETER_MESSAGE = Pattern.compile("^The value of (\\w+) parameter (.+?) is invalid\\.");
  private static final Pattern QUOTED = Pattern.compile("\"(.*)\"");
  /** Keywords that only say a subschema failed: the subschema's own error is the precise one. */
  private static final Set<String> APPLICATORS = Set.of("properties", "patternProperties", "additionalProperties",
      "items", "prefixItems", "contains", "$ref", "$dynamicRef", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
      "dependentSchemas", "unevaluatedProperties", "unevaluatedItems");

  private final Buffer document;
  private final OpenAPIContract contract;
  private final RequestValidator validator;

  private SpecValidation(Vertx vertx, Buffer document, OpenAPIContract contract) {
    this.document = document;
    this.contract = contract;
    this.validator = RequestValidator.create(vertx, contract);
  }

  /**
   * Reads the bundled contract and prepares it for validation; {@code jobLimits} ({@code jobs} of the config) sets
   * the URL count and length the contract enforces, so a configured limit is the one that holds.
   */
  static Future<SpecValidation> load(Vertx vertx, JsonObject jobLimits) {
    return vertx.executeBlocking(SpecValidation::readDocument).compose(document -> vertx
        .executeBlocking(() -> forValidation(parse(document), jobLimits))
        .compose(json -> OpenAPIContract.from(vertx, json))
        .map(contract -> new SpecValidation(vertx, document, contract)));
  }

  /** The contract as the jar carries it, for {@code GET /openapi.yaml}. */
  Buffer document() {
    return document;
  }

  /** Blocking: the bundled file. */
  static Buffer readDocument() {
    try (InputStream in = SpecValidation.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** YAML to JSON; the detour through text gives plain JsonObjects and JsonArrays all the way down. */
  static JsonObject parse(Buffer yaml) {
    Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml.toString());
    return new JsonObject(Json.encode(tree));
  }

  /**
   * The contract trimmed to what request validation reads. vertx-openapi refuses media types it cannot parse (NDJSON,
   * CSV, gzip, event streams, problem+json), so responses lose their content, and request bodies that are not JSON
   * are dropped: those are streamed to their handler, and only the headers are checked.
   */
  private static JsonObject forValidation(JsonObject spec, JsonObject jobLimits) {
    JsonObject paths = spec.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject operation && operation.containsKey("responses")) {
          operation.getJsonObject("responses").forEach(response -> ((JsonObject) response.getValue()).remove("content"));
          JsonObject body = operation.getJsonObject("requestBody");
          if (body != null && !body.getJsonObject("content").containsKey("application/json")) {
            operation.remove("requestBody");
          }
        }
      }
    }
    spec.getJsonObject("components").getJsonObject("responses")
        .forEach(response -> ((JsonObject) response.getValue()).remove("content"));
    JsonObject job = spec.getJsonObject("components").getJsonObject("schemas").getJsonObject("JobRequest")
        .getJsonObject("properties");
    // The URLs themselves are checked by JobRequest in one loop (a string, within jobs.maxUrlLength, an absolute
    // http(s) URL with a host), which names the first 20 bad ones; the schema walk would check each a second time.
    job.getJsonObject("urls").put("maxItems", jobLimits.getInteger("maxUrls")).remove("items");
    job.getJsonObject("callbackUrl").put("maxLength", jobLimits.getInteger("maxUrlLength"));
    return spec;
  }

  /**
   * A handler that checks the request against operation {@code operationId} and passes it on, with the
   * {@link ValidatedRequest} under {@link #VALIDATED}; the body is read only if the operation has a JSON body (which a
   * BodyHandler before this one has read).
   */
  Handler<RoutingContext> handler(String operationId, Problems problems) {
    Operation operation = contract.operation(operationId);
    if (operation == null) {
      throw new IllegalArgumentException("no operation " + operationId + " in " + RESOURCE);
    }
    return ctx -> {
      HttpServerRequest request = ctx.request();
      // Validation finishes on a worker: hold back a streamed body meanwhile, as Vert.x's own async handlers do.
      if (!request.isEnded()) {
        request.pause();
      }
      validator.validate(validatable(ctx, operation), operationId).onComplete(result -> {
        if (!request.isEnded()) {
          request.resume();
        }
        if (result.succeeded()) {
          ctx.put(VALIDATED, result.result());
          ctx.next();
        } else {
          ctx.fail(result.cause() instanceof ValidatorException invalid
              ? new Problem.Refused(problem(operation, invalid, problems))
              : result.cause());
        }
      });
    };
  }

  /**
   * Checks a request that did not come over HTTP (a bus client's job) against operation {@code operationId} as HTTP
   * would: its headers and its JSON body, the body's content type being the operation's. Fails with
   * {@link Problem.Refused} saying what is wrong.
   */
  Future<ValidatedRequest> check(String operationId, Map<String, String> headers, JsonObject body,
                                 Problems problems) {
    Operation operation = contract.operation(operationId);
    Map<Location, Map<String, RequestParameter>> values = new EnumMap<>(Location.class);
    for (Location location : Location.values()) {
      values.put(location, new HashMap<>());
    }
    headers.forEach((name, value) -> values.get(Location.HEADER).put(name, parameter(value)));
    String contentType = operation.getRequestBody().getContent().keySet().iterator().next();
    return validator.validate(validatable(values, body.toBuffer(), contentType), operationId)
        .recover(err -> Future.failedFuture(err instanceof ValidatorException invalid
            ? new Problem.Refused(problem(operation, invalid, problems)) : err));
  }

  /**
   * Values as the router already decoded them (path parameters, query) or as sent (headers: vertx-openapi's own
   * extraction would URL-decode them, and an Idempotency-Key may contain {@code %} or {@code +}).
   */
  private static ValidatableRequest validatable(RoutingContext ctx, Operation operation) {
    Map<Location, Map<String, RequestParameter>> values = new EnumMap<>(Location.class);
    for (Location location : Location.values()) {
      values.put(location, new HashMap<>());
    }
    HttpServerRequest request = ctx.request();
    for (Parameter parameter : operation.getParameters()) {
      String name = parameter.getName();
      String value = switch (parameter.getIn()) {
        case PATH -> ctx.pathParam(name);
        case QUERY -> request.query() == null ? null : ctx.queryParams().get(name);
        case HEADER -> request.getHeader(name);
        case COOKIE -> request.getCookie(name) == null ? null : request.getCookie(name).getValue();
      };
      if (value != null) {
        values.get(parameter.getIn()).put(name, parameter(value));
      }
    }
    Buffer body = operation.getRequestBody() == null ? null : ctx.body().buffer();
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    String contentType = type == null && operation.getRequestBody() != null
        && operation.getRequestBody().getContent().size() == 1
        ? operation.getRequestBody().getContent().keySet().iterator().next() // absent: taken as the one declared
        : type;
    return validatable(values, body, contentType);
  }

  private static ValidatableRequest validatable(Map<Location, Map<String, RequestParameter>> values, Buffer body,
                                                String contentType) {
    return new ValidatableRequest() {
      @Override
      public Map<String, RequestParameter> getCookies() {
        return values.get(Location.COOKIE);
      }

      @Override
      public Map<String, RequestParameter> getHeaders() {
        return values.get(Location.HEADER);
      }

      @Override
      public Map<String, RequestParameter> getPathParameters() {
        return values.get(Location.PATH);
      }

      @Override
      public Map<String, RequestParameter> getQuery() {
        return values.get(Location.QUERY);
      }

      @Override
      public RequestParameter getBody() {
        return parameter(body);
      }

      @Override
      public String getContentType() {
        return contentType;
      }
    };
  }

  private static RequestParameter parameter(Object value) {
    return () -> value;
  }

  private static Problem problem(Operation operation, ValidatorException failure, Problems problems) {
    return switch (failure.type()) {
      case UNSUPPORTED_VALUE_FORMAT -> Problem.of(415, "unsupported-media-type", "Unsupported media type",
          "send the body as " + String.join(" or ", operation.getRequestBody().getContent().keySet()));
      case ILLEGAL_VALUE -> bodyProblem(problems, "", "type", ": not valid JSON");
      case MISSING_REQUIRED_PARAMETER -> operation.getRequestBody() != null && failure.getMessage().contains("body")
          ? bodyProblem(problems, "", "type", ": empty; a JSON document is required")
          : invalidRequest(failure.getMessage());
      case INVALID_VALUE -> failure instanceof SchemaValidationException schema
          ? schemaProblem(operation, schema, problems)
          : invalidRequest(failure.getMessage());
      default -> invalidRequest(failure.getMessage());
    };
  }

  private static Problem bodyProblem(Problems problems, String field, String keyword, String what) {
    String detail = "body" + what;
    return orDefault(problems.of(Part.BODY, field, keyword, detail), Part.BODY, detail);
  }

  private static Problem orDefault(Problem problem, Part part, String detail) {
    if (problem != null) {
      return problem;
    }
    return part == Part.QUERY ? Problem.of(400, "invalid-query", "Invalid query parameter", detail)
        : invalidRequest(detail);
  }

  private static Problem invalidRequest(String detail) {
    return Problem.of(400, "invalid-request", "Invalid request", detail);
  }

  private static Problem schemaProblem(Operation operation, SchemaValidationException failure, Problems problems) {
    OutputUnit error = mostPrecise(failure.getOutputUnit().getErrors());
    String keyword = keyword(error);
    Matcher parameter = PARAMETER_MESSAGE.matcher(failure.getMessage());
    Part part;
    String field;
    String where;
    JsonSchema schema;
    if (parameter.find()) {
      Location in = Location.valueOf(parameter.group(1).toUpperCase(Locale.ROOT));
      field = parameter.group(2);
      part = Part.valueOf(in.name());
      where = "'" + field + "' (" + parameter.group(1) + ")";
      schema = operation.getParameters().stream()
          .filter(p -> p.getIn() == in && p.getName().equals(field)).findFirst().map(Parameter::getSchema).orElse(null);
    } else {
      part = Part.BODY;
      String pointer = error.getInstanceLocation().replaceFirst("^#", "");
      Matcher missing = QUOTED.matcher(error.getError());
      field = keyword.equals("required") && missing.find() ? pointer + "/" + missing.group(1) : pointer;
      where = field.isEmpty() ? "body" : field;
      schema = operation.getRequestBody().getContent().values().stream().findFirst().map(MediaType::getSchema)
          .orElse(null);
    }
    String detail = where + ": " + phrase(error, keyword, schema);
    return orDefault(problems.of(part, field, keyword, detail), part, detail);
  }

  /** The deepest error in the instance, and there the failed keyword itself rather than an applicator above it. */
  private static OutputUnit mostPrecise(List<OutputUnit> errors) {
    OutputUnit best = errors.get(0);
    for (OutputUnit error : errors) {
      int depth = depth(error);
      int bestDepth = depth(best);
      if (depth > bestDepth || depth == bestDepth && APPLICATORS.contains(keyword(best))
          && !APPLICATORS.contains(keyword(error))) {
        best = error;
      }
    }
    return best;
  }

  private static int depth(OutputUnit error) {
    return (int) error.getInstanceLocation().chars().filter(c -> c == '/').count();
  }

  private static String keyword(OutputUnit error) {
    String location = error.getKeywordLocation();
    return location.substring(location.lastIndexOf('/') + 1);
  }

  /** What the value must be, in words, from the failed keyword and its value in the schema. */
  private static String phrase(OutputUnit error, String keyword, JsonSchema schema) {
    Object limit = schema == null ? null : keywordValue(schema, error.getKeywordLocation());
    if (limit == null && !keyword.equals("additionalProperties") && !keyword.equals("required")) {
      return error.getError();
    }
    return switch (keyword) {
      case "minimum" -> "must be at least " + limit;
      case "maximum" -> "must be at most " + limit;
      case "exclusiveMinimum" -> "must be more than " + limit;
      case "exclusiveMaximum" -> "must be less than " + limit;
      case "minLength" -> "must be at least " + limit + " characters long";
      case "maxLength" -> "must be at most " + limit + " characters long";
      case "minItems" -> "must have at least " + limit + " items";
      case "maxItems" -> "must have at most " + limit + " items";
      case "pattern" -> "must match " + limit;
      case "format" -> "must be a " + limit;
      case "enum" -> "must be one of " + ((JsonArray) limit).stream().filter(v -> v != null).map(String::valueOf)
          .collect(Collectors.joining(", "));
      case "type" -> "must be " + (limit instanceof JsonArray types
          ? types.stream().map(t -> article(String.valueOf(t))).collect(Collectors.joining(" or "))
          : article(String.valueOf(limit)));
      case "required" -> "is required";
      case "additionalProperties" -> "is not a known field";
      default -> error.getError();
    };
  }

  private static String article(String type) {
    return switch (type) {
      case "integer", "array", "object" -> "an " + type;
      case "null", "true", "false" -> type;
      case "boolean" -> "true or false";
      default -> "a " + type;
    };
  }

  /** The value at the error's keyword location, a JSON pointer into the (resolved) schema. */
  private static Object keywordValue(JsonSchema schema, String keywordLocation) {
    String[] steps = keywordLocation.replaceFirst("^#?/", "").split("/");
    Object node = schema.get(steps[0]);
    for (int i = 1; i < steps.length && node != null; i++) {
      node = node instanceof JsonObject object ? object.getValue(steps[i])
          : node instanceof JsonArray array && steps[i].matches("\\d+") ? array.getValue(Integer.parseInt(steps[i]))
          : null;
    }
    return node;
  }

}
