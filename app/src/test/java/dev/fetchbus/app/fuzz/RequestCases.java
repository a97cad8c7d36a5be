package dev.fetchbus.app.fuzz;

import dev.fetchbus.app.fuzz.Contract.Operation;
import dev.fetchbus.app.fuzz.Contract.Parameter;
import dev.fetchbus.app.fuzz.FuzzCase.Body;
import dev.fetchbus.app.fuzz.FuzzCase.Flag;
import dev.fetchbus.app.fuzz.JsonText.Obj;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Requests drawn from the contract: for every operation, its path, query, headers and body, valid or mutated, then
 * some with another method, odd headers, or HTTP syntax broken on purpose. Jobs point only at the loopback origin.
 */
public final class RequestCases {
  /**
   * What the requests are made for. {@code origin}: the loopback origin's base URL ({@code http://127.0.0.1:port});
   * the limits are the server's (jobs.maxUrls, jobs.maxUrlLength, http.maxBodyBytes, uploads.maxBytes).
   */
  public record Setup(String origin, String token, int maxUrls, int maxUrlLength, int maxBodyBytes,
                      long maxUploadBytes) {
  }

  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
      "TRACE", "PROPFIND", "FOO", "get", "M-SEARCH", "CONNECT", "X".repeat(40));
  /** The operations that create state are drawn more often: that is where the deep paths are. */
  private static final Map<String, Integer> WEIGHTS = Map.of("submitJob", 12, "createUpload", 4, "getJob", 4,
      "getJobResults", 4, "deleteJob", 3, "listJobs", 3);

  private final Contract contract;
  private final Setup setup;
  private final SchemaValues values;

  public RequestCases(Contract contract, Setup setup) {
    this.contract = contract;
    this.setup = setup;
    this.values = new SchemaValues(new JobUrls(setup.origin(), setup.maxUrlLength()));
  }

  /** Every kind of request, for every operation of the contract. */
  public Arbitrary<FuzzCase> all() {
    List<Tuple.Tuple2<Integer, Arbitrary<FuzzCase>>> choices = new ArrayList<>();
    for (Operation operation : contract.operations()) {
      choices.add(Tuple.of(WEIGHTS.getOrDefault(operation.id(), 2), decorated(operation)));
    }
    choices.add(Tuple.of(2, unknownRoutes()));
    choices.add(Tuple.of(2, malformed()));
    return Arbitraries.frequencyOf(choices);
  }

  /** The operation's own request, sometimes with another method or more headers. */
  private Arbitrary<FuzzCase> decorated(Operation operation) {
    Arbitrary<FuzzCase> plain = request(operation);
    return Arbitraries.frequencyOf(
        Tuple.of(20, plain),
        Tuple.of(1, Combinators.combine(plain, Arbitraries.of(METHODS)).as(FuzzCase::withMethod)),
        Tuple.of(2, Combinators.combine(plain, oddHeaders()).as(FuzzCase::withHeaders)));
  }

  private Arbitrary<FuzzCase> request(Operation operation) {
    return Combinators.combine(target(operation), headers(operation), body(operation))
        .as((target, headers, body) -> {
          List<String[]> all = new ArrayList<>(headers);
          all.addAll(body.headers());
          Set<Flag> flags = EnumSet.noneOf(Flag.class);
          flags.addAll(target.flags());
          flags.addAll(body.flags());
          if (operation.id().endsWith("WebSocket")) {
            flags.add(Flag.FRESH);
          }
          return new FuzzCase(operation.id(), operation.method().toUpperCase(), target.text(), all, body.body(),
              body.replay(), flags);
        });
  }

  // ---- targets

  private record Target(String text, Set<Flag> flags) {
  }

  private Arbitrary<Target> target(Operation operation) {
    List<Parameter> query = operation.parameters("query");
    Arbitrary<String> path = path(operation);
    Arbitrary<String> queryString = query.isEmpty() ? Arbitraries.just("")
        : Combinators.combine(query.stream().map(this::queryParameter).toList())
            .as(parts -> String.join("&", parts.stream().filter(p -> !p.isEmpty()).toList()));
    Arbitrary<Target> normal = Combinators.combine(path, queryString,
            Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just("")), Tuple.of(1, oddQuery())))
        .as((p, q, extra) -> {
          String all = q.isEmpty() ? extra : extra.isEmpty() ? q : q + "&" + extra;
          return new Target(all.isEmpty() ? p : p + "?" + all, EnumSet.noneOf(Flag.class));
        });
    Arbitrary<Target> oddPath = Combinators.combine(path, Arbitraries.of("/", "//", "/.", "/..", "/%2e%2e", "%00",
            "/%zz", "%2F", ";x=1", "/\u00e9", "#frag", "/extra", "?", "?&", "?=", "?a=%"))
        .as((p, suffix) -> new Target(p + suffix, EnumSet.of(Flag.ODD_PATH)));
    return Arbitraries.frequencyOf(Tuple.of(12, normal), Tuple.of(1, oddPath));
  }

  private Arbitrary<String> path(Operation operation) {
    List<Parameter> parameters = operation.parameters("path");
    if (parameters.isEmpty()) {
      return Arbitraries.just(operation.path());
    }
    Parameter parameter = parameters.get(0);
    Arbitrary<String> value = parameter.name().equals("id") ? id(operation) : pathText();
    return value.map(v -> operation.path().replace("{" + parameter.name() + "}", v));
  }

  /** A path id: one the run has seen (for the kind the operation is about), a random UUID, or not a UUID. */
  private Arbitrary<String> id(Operation operation) {
    String kind = operation.path().startsWith("/api/uploads") ? "upload" : "job";
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 10_000);
    return Arbitraries.frequencyOf(
        Tuple.of(12, pick.map(n -> "{" + kind + ":" + n + "}")),
        Tuple.of(1, pick.map(n -> "{" + kind + "-upper:" + n + "}")),
        Tuple.of(2, Arbitraries.randoms().map(r -> new java.util.UUID(r.nextLong(), r.nextLong()).toString())),
        Tuple.of(1, Arbitraries.of("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "1-1-1-1-1", "{00000000-0000-0000-0000-000000000000}", "not-a-uuid", "0", "-1", "%20", "null",
            "00000000000000000000000000000000", "00000000-0000-0000-0000-0000000000000", "\u00e9",
            "00000000-0000-0000-0000-00000000000g")),
        Tuple.of(1, pathText()));
  }

  /** Path parameter text: plain, odd (percent-encoded), or long. */
  private static Arbitrary<String> pathText() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Strings.any().ofMinLength(1).ofMaxLength(20).map(RequestCases::encodePath)),
        Tuple.of(3, Strings.odd().map(RequestCases::encodePath)),
        Tuple.of(1, Arbitraries.of(1_000, 3_000, 5_000).map(n -> "x".repeat(n))));
  }

  private Arbitrary<String> queryParameter(Parameter parameter) {
    String name = parameter.name();
    Arbitrary<String> valid = values.valid(parameter.schema()).map(v -> name + "=" + encodeQuery(text(v)));
    Arbitrary<String> odd = Arbitraries.oneOf(
        values.odd(parameter.schema()).map(v -> name + "=" + encodeQuery(text(v))),
        Arbitraries.of(name, name + "=", name + "=%zz", name + "=%00", name + "=1&" + name + "=2",
            name + "=" + "9".repeat(30), name.toUpperCase() + "=1", name + "=+", name + "=%20"),
        Strings.odd().map(v -> name + "=" + encodeQuery(v)));
    return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just("")), Tuple.of(4, valid), Tuple.of(2, odd));
  }

  private static Arbitrary<String> oddQuery() {
    return Arbitraries.oneOf(
        Arbitraries.of("x=1", "&&", "=", "a", "a=%", "a=%zz", "a[]=1", "a=1;b=2", "%00=%00"),
        Combinators.combine(Strings.fieldName(), Strings.odd()).as((k, v) -> encodeQuery(k) + "=" + encodeQuery(v)),
        Arbitraries.of(2_000, 5_000).map(n -> "long=" + "y".repeat(n)));
  }

  private static String text(Object value) {
    return value instanceof String s ? s : JsonText.encode(value, false);
  }

  static String encodePath(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String encodeQuery(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  // ---- headers

  private Arbitrary<List<String[]>> headers(Operation operation) {
    List<Arbitrary<List<String[]>>> parts = new ArrayList<>();
    if (operation.secured()) {
      parts.add(authorization());
    }
    if (operation.id().startsWith("getJob") || operation.id().equals("listJobs")) {
      parts.add(accept());
    }
    if (operation.id().endsWith("WebSocket")) {
      parts.add(upgrade());
    }
    parts.add(Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(List.of())), Tuple.of(1, requestId()),
        Tuple.of(1, Arbitraries.just(List.<String[]>of(new String[] {"Connection", "close"})))));
    return Combinators.combine(parts).as(lists -> lists.stream().flatMap(List::stream).toList());
  }

  private Arbitrary<List<String[]>> authorization() {
    String token = setup.token();
    return Arbitraries.frequencyOf(
        Tuple.of(30, Arbitraries.just(List.<String[]>of(new String[] {"Authorization", "Bearer " + token}))),
        Tuple.of(1, Arbitraries.just(List.of())),
        Tuple.of(1, Arbitraries.of("Bearer wrong", "bearer " + token, "BEARER   " + token + "  ", "Basic Zm9vOmJhcg==",
                "Bearer", "Bearer ", token, "Bearer " + token + "x", "Bearer \u00e9", "Bearer " + "t".repeat(5_000))
            .map(value -> List.<String[]>of(new String[] {"Authorization", value}))),
        Tuple.of(1, Arbitraries.just(List.<String[]>of(new String[] {"Authorization", "Bearer wrong"},
            new String[] {"Authorization", "Bearer " + token}))));
  }

  private static Arbitrary<List<String[]>> accept() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.just(List.of())),
        Tuple.of(2, Arbitraries.of("application/json", "text/csv", "application/x-ndjson",
                "text/csv, application/x-ndjson", "application/x-ndjson;q=0.1, text/csv", "*/*", "text/html", "",
                "text/csv;q=abc", "\u00e9/\u00e9", "application/x-ndjsontext/csv", "TEXT/CSV", ",,,", "text/" + "c".repeat(3_000))
            .map(value -> List.<String[]>of(new String[] {"Accept", value}))));
  }

  private static Arbitrary<List<String[]>> requestId() {
    return Arbitraries.oneOf(Arbitraries.strings().withCharRange('!', '~').ofMinLength(0).ofMaxLength(140),
            Strings.odd().filter(s -> s.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0)))
        .map(id -> List.<String[]>of(new String[] {"X-Request-Id", id}));
  }

  private static Arbitrary<List<String[]>> upgrade() {
    String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    List<String[]> valid = List.of(new String[] {"Upgrade", "websocket"}, new String[] {"Connection", "Upgrade"},
        new String[] {"Sec-WebSocket-Key", key}, new String[] {"Sec-WebSocket-Version", "13"});
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.just(valid)),
        Tuple.of(2, Arbitraries.just(List.of())),
        Tuple.of(3, Arbitraries.integers().between(0, 3).flatMap(drop -> Arbitraries.of("8", "14", "x", "", "13, 8")
            .map(version -> {
              List<String[]> headers = new ArrayList<>(valid);
              headers.remove(drop.intValue());
              headers.add(new String[] {"Sec-WebSocket-Version", version});
              return List.copyOf(headers);
            }))),
        Tuple.of(1, Arbitraries.of("websocket2", "WebSocket", "h2c", "").map(up -> List.<String[]>of(
            new String[] {"Upgrade", up}, new String[] {"Connection", "Upgrade"}, new String[] {"Sec-WebSocket-Key", key},
            new String[] {"Sec-WebSocket-Version", "13"}))));
  }

  /** Headers no route expects: unknown names, odd values, many of them, one very large. */
  private static Arbitrary<List<String[]>> oddHeaders() {
    Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20),
        Arbitraries.of("Content-Type", "Accept", "Accept-Encoding", "Idempotency-Key", "X-Request-Id", "Origin",
            "Cookie", "Range", "If-None-Match", "Host", "X-Forwarded-For", "Content-Encoding", "TE"));
    Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60),
        Strings.odd().filter(s -> s.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0)),
        Arbitraries.of("gzip", "br, gzip;q=0", "bytes=0-1", "*", "http://evil.example", "identity", "\u00e9"));
    Arbitrary<String[]> header = Combinators.combine(names, values).as((n, v) -> new String[] {n, v});
    return Arbitraries.frequencyOf(
        Tuple.of(6, header.list().ofMinSize(1).ofMaxSize(4)),
        Tuple.of(1, header.list().ofSize(150)),
        Tuple.of(1, Arbitraries.of(4_000, 9_000, 20_000).map(n -> List.<String[]>of(new String[] {"X-Big", "b".repeat(n)}))));
  }

  // ---- bodies

  /** A body with the headers that go with it, the flags it needs, and (for submissions) a replay. */
  private record Payload(Body body, List<String[]> headers, Body replay, Set<Flag> flags) {
    static final Payload NONE = new Payload(Body.NONE, List.of(), null, EnumSet.noneOf(Flag.class));
  }

  private Arbitrary<Payload> body(Operation operation) {
    if (operation.jsonBody() != null) {
      return jobSubmission(operation.jsonBody());
    }
    if (operation.anyBody()) {
      return upload();
    }
    return Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.just(Payload.NONE)),
        Tuple.of(1, Strings.any().ofMaxLength(50).map(text -> new Payload(Body.of(text, text),
            List.<String[]>of(new String[] {"Content-Type", "application/json"}), null, EnumSet.noneOf(Flag.class)))));
  }

  private Arbitrary<Payload> jobSubmission(Map<String, Object> schema) {
    Arbitrary<JobBody> body = Arbitraries.frequencyOf(
        Tuple.of(40, values.valid(schema).map(v -> JobBody.json(v, "valid"))),
        Tuple.of(40, values.odd(schema).map(v -> JobBody.json(v, "odd"))),
        Tuple.of(15, brokenJson(schema)),
        Tuple.of(1, largeJob()));
    Arbitrary<List<String[]>> contentType = Arbitraries.frequencyOf(
        Tuple.of(20, Arbitraries.just(List.<String[]>of(new String[] {"Content-Type", "application/json"}))),
        Tuple.of(2, Arbitraries.just(List.of())),
        Tuple.of(3, Arbitraries.of("application/json; charset=utf-8", "APPLICATION/JSON", "Application/Json ",
                "application/json;charset=ISO-8859-1", "application/json; charset", "application/json;;", "text/plain",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/problem+json",
                "application/vnd.api+json", "text/json", "", "*/*", "application/*", "a/b/c", ";", "json",
                "application/json, text/plain", "application/octet-stream", "application/json\u00e9")
            .map(type -> List.<String[]>of(new String[] {"Content-Type", type}))));
    Arbitrary<List<String[]>> key = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.just(List.of())),
        Tuple.of(3, Strings.matching("^[!-~]+$", 1, 40).map(k -> List.<String[]>of(new String[] {"Idempotency-Key", k}))),
        Tuple.of(1, Arbitraries.of("", " ", "a b", "\u00e9", "a\tb", "%41", "+", "k".repeat(255), "k".repeat(256),
                "k".repeat(5_000), "\u007f")
            .map(k -> List.<String[]>of(new String[] {"Idempotency-Key", k}))));
    return Combinators.combine(body, contentType, key, Arbitraries.integers().between(0, 9))
        .flatAs((job, type, idempotency, replayChoice) -> {
          List<String[]> headers = new ArrayList<>(type);
          headers.addAll(idempotency);
          Set<Flag> flags = job.cancelAtOnce() ? EnumSet.of(Flag.CANCEL_AT_ONCE) : EnumSet.noneOf(Flag.class);
          if (job.body().bytes().length > setup.maxBodyBytes()) {
            flags.add(Flag.FRESH);
          }
          if (idempotency.isEmpty() || replayChoice > 3 || job.cancelAtOnce()) {
            return Arbitraries.just(new Payload(job.body(), headers, null, flags));
          }
          // With a key: the same body again (a replay), or another valid one (a conflict, unless it means the same).
          return (replayChoice < 2 ? Arbitraries.just(job.body())
              : values.valid(schema).map(v -> JobBody.json(v, "valid").body()))
              .map(replay -> new Payload(job.body(), headers, replay, flags));
        });
  }

  private record JobBody(Body body, boolean cancelAtOnce) {
    static JobBody json(Object value, String kind) {
      String text = JsonText.encode(value, false);
      return new JobBody(Body.of(text, kind + " " + text), false);
    }
  }

  /** Bodies that are not JSON, or JSON the server's parser must refuse without harm. */
  private Arbitrary<JobBody> brokenJson(Map<String, Object> schema) {
    Arbitrary<String> valid = values.valid(schema).map(v -> JsonText.encode(v, false));
    Arbitrary<byte[]> broken = Arbitraries.oneOf(
        Combinators.combine(valid, Arbitraries.integers().between(0, 1_000))
            .as((text, cut) -> utf8(text.substring(0, Math.min(cut, text.length())))),
        Combinators.combine(valid, Arbitraries.of("}", "]", ",", "x", "/*c*/", "\u0000", " null", "{}", "\"")).as((text, tail) -> utf8(text + tail)),
        valid.map(text -> utf8("\ufeff" + text)),
        valid.map(text -> utf8(text.replace('"', '\''))),
        valid.map(text -> utf8(text.replace(":", ":/*c*/"))),
        valid.map(text -> concat(new byte[] {(byte) 0xff, (byte) 0xfe}, utf8(text))),
        valid.map(text -> concat(utf8(text.substring(0, text.length() - 1)), new byte[] {(byte) 0xc3, (byte) 0x28, '}'})),
        Arbitraries.of("", " ", "\n", "null", "[]", "\"s\"", "1", "true", "{", "}", "{\"urls\"}", "{\"urls\":}",
            "{\"urls\":[\"a\",]}", "{\"urls\":[1e999]}", "{\"urls\":[\"\\ud800\"]}", "{\"urls\":[\"\\u00\"]}",
            "{\"urls\":[\"\\x41\"]}", "{'urls':[]}", "{urls:[]}", "[{\"urls\":[]}]").map(RequestCases::utf8),
        Arbitraries.of(100, 1_000, 5_000, 50_000, 500_000).flatMap(depth -> Arbitraries.of(
            utf8("[".repeat(depth)), utf8("{\"urls\":" + "[".repeat(depth) + "]".repeat(depth) + "}"),
            utf8("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)),
            utf8("{\"urls\":[\"" + setup.origin() + "/obj/1\"],\"timeouts\":" + "{\"connectMs\":".repeat(depth) + "1"
                + "}".repeat(depth + 1)))));
    return broken.map(bytes -> new JobBody(new Body(bytes, "broken " + new String(bytes, StandardCharsets.UTF_8), false),
        false));
  }

  /**
   * Bodies at the limits: a job of exactly jobs.maxUrls URLs (created, then cancelled at once), one URL more, and
   * bodies of exactly and just over http.maxBodyBytes.
   */
  private Arbitrary<JobBody> largeJob() {
    return Arbitraries.of(0, 1, 2, 3).map(kind -> switch (kind) {
      case 0 -> new JobBody(urls(setup.maxUrls(), ",\"retries\":0,\"concurrency\":4"), true);
      case 1 -> new JobBody(urls(setup.maxUrls() + 1, ""), false);
      default -> {
        String head = "{\"urls\":[\"" + setup.origin() + "/obj/1\"]}";
        int size = setup.maxBodyBytes() + (kind == 2 ? 0 : 1);
        String padded = head + " ".repeat(size - head.length());
        yield new JobBody(new Body(utf8(padded), size + " bytes: " + head + " and spaces", false), kind == 2);
      }
    });
  }

  private Body urls(int count, String options) {
    StringBuilder text = new StringBuilder("{\"urls\":[");
    for (int i = 0; i < count; i++) {
      text.append(i == 0 ? "\"" : ",\"").append(setup.origin()).append("/obj/").append(i % 1000).append('"');
    }
    text.append(']').append(options).append('}');
    return new Body(utf8(text.toString()), count + " URLs" + options, false);
  }

  private Arbitrary<Payload> upload() {
    Arbitrary<byte[]> bytes = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(2_048)),
        Tuple.of(1, Arbitraries.of(0, 65_536, 1 << 20).map(n -> new byte[n])),
        Tuple.of(1, Arbitraries.just(new byte[(int) setup.maxUploadBytes() + 1])));
    Arbitrary<List<String[]>> type = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.just(List.of())),
        Tuple.of(3, Arbitraries.of("application/octet-stream", "text/plain; charset=utf-8", "image/png",
                "application/json", "", "x", "a/b; c=\"d;e\"", "\u00e9/\u00e9", "text/" + "x".repeat(1_000))
            .map(t -> List.<String[]>of(new String[] {"Content-Type", t}))));
    Arbitrary<Integer> framing = Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just(0)), Tuple.of(2, Arbitraries.just(1)),
        Tuple.of(1, Arbitraries.just(2)), Tuple.of(1, Arbitraries.just(3)));
    return Combinators.combine(bytes, type, framing).as((data, contentType, how) -> {
      List<String[]> headers = new ArrayList<>(contentType);
      Set<Flag> flags = data.length > setup.maxUploadBytes() ? EnumSet.of(Flag.FRESH) : EnumSet.noneOf(Flag.class);
      String description = data.length + " bytes";
      return switch (how) {
        case 1 -> new Payload(new Body(data, description + ", chunked", true), headers, null, flags);
        case 2 -> {
          headers.add(new String[] {"Expect", "100-continue"});
          yield new Payload(new Body(data, description + ", expect 100", false), headers, null, flags);
        }
        case 3 -> {
          // A declared length over the limit, and no body sent: refused from the header alone.
          headers.add(new String[] {"Content-Length", Long.toString(setup.maxUploadBytes() + 1)});
          yield new Payload(new Body(new byte[0], "none, declared " + (setup.maxUploadBytes() + 1), false), headers,
              null, EnumSet.of(Flag.FRESH));
        }
        default -> new Payload(new Body(data, description, false), headers, null, flags);
      };
    });
  }

  // ---- requests without an operation

  private Arbitrary<FuzzCase> unknownRoutes() {
    return Combinators.combine(Arbitraries.of("GET", "POST", "DELETE", "PUT"), Arbitraries.oneOf(
            Arbitraries.of("/", "/api", "/api/", "/api/jobs/", "/api/job", "/api/uploads/", "/health", "/admin",
                "/ws", "/ws/jobs", "/openapi.json", "/hello/", "/hello/a/b", "/metrics/x", "/favicon.ico", "*",
                "/API/JOBS", "/api//jobs", "/api/jobs/../jobs"),
            Strings.odd().map(s -> "/" + encodePath(s))))
        .as((method, path) -> new FuzzCase("none", method, path, List.of(), Body.NONE, null, EnumSet.of(Flag.ODD_PATH)));
  }

  /** Requests that break HTTP/1.1 itself: sent as written, each on a connection of its own. */
  private Arbitrary<FuzzCase> malformed() {
    Arbitrary<String> lines = Arbitraries.of(
        "GET /hello HTTP/1.0", "GET /hello HTTP/2.0", "GET /hello HTTP/1.1x", "GET  /hello HTTP/1.1",
        "GET /hello", "GET", "/hello HTTP/1.1", "G\u00c9T /hello HTTP/1.1", "GET /hel lo HTTP/1.1",
        "GET /hello\u00e9 HTTP/1.1", "GET /h\u0000llo HTTP/1.1", "GET http://127.0.0.1/hello HTTP/1.1",
        "OPTIONS * HTTP/1.1", "GET /" + "a".repeat(5_000) + " HTTP/1.1", "GET /health/live?" + "q".repeat(9_000) + " HTTP/1.1",
        "POST /api/jobs HTTP/1.1", "POST /api/uploads HTTP/1.1", "DELETE /api/jobs/{job:1} HTTP/1.1");
    Arbitrary<List<String>> headerLines = Arbitraries.of(
        List.of("Host: x"), List.of(), List.of("Host: x", "Host: y"), List.of("Host: x", "NoColon"),
        List.of("Host: x", "Bad Name: v"), List.of("Host: x", ": empty"), List.of("Host: x", "X: a\rb"),
        List.of("Host: x", "X: folded", " continuation"), List.of("Host: x", "Content-Length: -1"),
        List.of("Host: x", "Content-Length: abc"), List.of("Host: x", "Content-Length: 1", "Content-Length: 2"),
        List.of("Host: x", "Content-Length: 99999999999999999999"), List.of("Host: x", "Transfer-Encoding: gzip, chunked"),
        List.of("Host: x", "Transfer-Encoding: chunked", "Content-Length: 3"), List.of("Host: x", "Transfer-Encoding: x"),
        List.of("Host: x", "X-\u00e9: v"), List.of("Host: x", "X: " + "v".repeat(10_000)),
        List.of("Host: x", "Content-Type: application/json", "Content-Length: 2"));
    Arbitrary<String> ending = Arbitraries.of("\r\n", "\n");
    Arbitrary<String> body = Arbitraries.of("", "{}", "0\r\n\r\n", "zz\r\n");
    return Combinators.combine(lines, headerLines, ending, body).as((line, headers, eol, rest) -> {
      StringBuilder raw = new StringBuilder(line).append(eol);
      headers.forEach(h -> raw.append(h).append(eol));
      raw.append(eol).append(rest);
      return new FuzzCase("malformed", "RAW", raw.toString(), List.of(), Body.NONE, null,
          EnumSet.of(Flag.MALFORMED, Flag.FRESH));
    });
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  /** Job URLs: valid ones point only at the loopback origin; odd ones are refused whatever their host. */
  private static final class JobUrls implements SchemaValues.Overrides {
    private final String origin;
    private final int maxLength;

    JobUrls(String origin, int maxLength) {
      this.origin = origin;
      this.maxLength = maxLength;
    }

    @Override
    public Arbitrary<Object> valid(String pointer) {
      if (!pointer.equals("/urls/*") && !pointer.equals("/callbackUrl")) {
        return null;
      }
      // Callbacks are POSTed: /obj/1 answers any method with 200.
      if (pointer.equals("/callbackUrl")) {
        return Arbitraries.oneOf(Arbitraries.just(origin + "/obj/1"), Arbitraries.just(null));
      }
      Arbitrary<Integer> n = Arbitraries.integers().between(0, 50);
      return Arbitraries.frequencyOf(
          Tuple.of(10, n.map(i -> origin + "/obj/" + i)),
          Tuple.of(2, n.map(i -> origin + "/missing/" + i)),
          Tuple.of(1, Combinators.combine(n, Arbitraries.integers().between(10, 1_500))
              .as((i, ms) -> origin + "/slow/" + i + "?ms=" + ms)),
          Tuple.of(3, Combinators.combine(n, Arbitraries.of("?q=\u00e9", "#frag", "?a=1&b=%20", "?\ud83d\ude00",
              "?\ud800", "/x", "?" + "p".repeat(100), ";p")).as((i, tail) -> origin + "/obj/" + i + tail)),
          Tuple.of(2, n.map(i -> List.of("HTTP" + origin.substring(4) + "/obj/" + i,
              origin.replace("://", "://user:pw@") + "/obj/" + i, "http://127.0.0.1:1/obj/" + i,
              "https://127.0.0.1" + origin.substring(origin.lastIndexOf(':')) + "/obj/" + i,
              "http://127.0.0.1/obj/" + i, "http://127.0.0.1:0/obj/" + i).get(i % 6))),
          Tuple.of(1, Arbitraries.just(exactly(maxLength))))
          .map(url -> (Object) url);
    }

    /** A loopback URL of exactly {@code length} characters. */
    private String exactly(int length) {
      String head = origin + "/obj/1?";
      return head + "p".repeat(length - head.length());
    }

    @Override
    public Arbitrary<Object> odd(String pointer) {
      if (!pointer.equals("/urls/*") && !pointer.equals("/callbackUrl")) {
        return null;
      }
      String port = origin.substring(origin.lastIndexOf(':') + 1);
      return Arbitraries.of("", " ", "ftp://127.0.0.1/", "http://", "http:///obj", "//127.0.0.1/obj",
          "127.0.0.1:" + port + "/obj", "http://127.0.0.1:99999/", "http://127.0.0.1:-1/", origin + "/obj/1\u0000",
          origin + "/a b", origin + "/\r\n", "http://[::1", "http://12\u0101.0.0.1/", "javascript:alert(1)",
          "file:///etc/passwd", "http://%31%32%37.0.0.1/", "mailto:a@b", "http:\\\\127.0.0.1\\",
          "http://127.0.0.1:" + port + "/obj/1\t", exactly(maxLength + 1), exactly(maxLength) + "\u00e9",
          "\ud800", "h\u0000ttp://127.0.0.1/").map(url -> (Object) url);
    }
  }
}
