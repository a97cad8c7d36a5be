package dev.fetchbus.app.fuzz;

import dev.fetchbus.app.fuzz.Contract.Operation;
import dev.fetchbus.app.fuzz.FuzzCase.Body;
import dev.fetchbus.app.fuzz.FuzzCase.Flag;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends generated requests over real HTTP, checks every answer against the contract, and keeps the ledger of what the
 * server acknowledged: the jobs it accepted (with the number of URLs sent), the ones it purged, the uploads it
 * stored. The counts end up in the run's one-line summary.
 */
public final class Fuzzer {
  /** A job the server acknowledged with a 202, and how many URLs were sent for it. */
  public record Job(String id, int urls) {
  }

  private record Upload(String id, String sha256, String contentType) {
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(job|upload)(-upper)?:(\\d+)}");

  private final Contract contract;
  private final Answers answers;
  private final RawHttp http;
  private final String host;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final List<String> jobIds = new ArrayList<>();
  private final Set<String> purged = new TreeSet<>();
  private final Map<String, Upload> uploads = new LinkedHashMap<>();
  private final List<String> uploadIds = new ArrayList<>();
  private final Set<String> deletedUploads = new TreeSet<>();
  private final Set<String> operationsSeen = new TreeSet<>();
  private long requests;
  private long serverErrors;
  private long outsideContract;

  public Fuzzer(Contract contract, RawHttp http, String host) {
    this.contract = contract;
    this.answers = new Answers(contract);
    this.http = http;
    this.host = host;
  }

  public long requests() {
    return requests;
  }

  public Set<String> operationsSeen() {
    return operationsSeen;
  }

  public long serverErrors() {
    return serverErrors;
  }

  public long outsideContract() {
    return outsideContract;
  }

  /** Jobs acknowledged and not purged since. */
  public List<Job> liveJobs() {
    return jobs.values().stream().filter(j -> !purged.contains(j.id())).toList();
  }

  public Set<String> purgedJobs() {
    return purged;
  }

  /** Uploads stored and not deleted since. */
  public long liveUploads() {
    return uploads.keySet().stream().filter(id -> !deletedUploads.contains(id)).count();
  }

  /** Sends the request (and its replay, if any); throws AssertionError saying what broke the contract. */
  public void send(FuzzCase request) {
    String target = resolve(request.target());
    RawHttp.Response first = exchange(request, target, request.body());
    JobAnswer acknowledged = afterSubmission(request, first, request.body());
    if (acknowledged != null && request.flags().contains(Flag.CANCEL_AT_ONCE)) {
      cancel(acknowledged.id());
    }
    if (request.replay() != null && acknowledged != null) {
      RawHttp.Response again = exchange(request, target, request.replay());
      JobAnswer replayed = afterSubmission(request, again, request.replay());
      boolean same = java.util.Arrays.equals(request.body().bytes(), request.replay().bytes());
      if (same && (again.status() != 200 || replayed == null || !replayed.id().equals(acknowledged.id()))) {
        fail(request, target, again, List.of("a replay with the same Idempotency-Key and body is not a 200 with the "
            + "first job " + acknowledged.id()), false);
      }
      if (!same && again.status() != 409 && (replayed == null || !replayed.id().equals(acknowledged.id()))) {
        fail(request, target, again, List.of("the same Idempotency-Key with another job is neither a 409 nor the "
            + "first job " + acknowledged.id()), false);
      }
    }
  }

  /** DELETE /api/jobs/{id}: cancels the job (200) unless it has ended (409); checked like any other answer. */
  public RawHttp.Response cancel(String id) {
    FuzzCase cancel = new FuzzCase("deleteJob", "DELETE", "/api/jobs/" + id, authorization(), Body.NONE, null, Set.of());
    RawHttp.Response response = exchange(cancel, cancel.target(), Body.NONE);
    if (response.status() != 200 && response.status() != 409) {
      fail(cancel, cancel.target(), response, List.of("a cancel answered " + response.status()), false);
    }
    return response;
  }

  /** GET of a path, checked; for the final look at the jobs. */
  public RawHttp.Response get(String operationId, String target) {
    FuzzCase get = new FuzzCase(operationId, "GET", target, authorization(), Body.NONE, null, Set.of());
    return exchange(get, target, Body.NONE);
  }

  private List<String[]> authorization;

  /** The Authorization header the run's own follow-up requests carry. */
  public void authorizeWith(String token) {
    authorization = List.<String[]>of(new String[] {"Authorization", "Bearer " + token});
  }

  private List<String[]> authorization() {
    return authorization == null ? List.of() : authorization;
  }

  private record JobAnswer(String id) {
  }

  /** Records what a submission's answer acknowledged and checks it against what was sent. */
  private JobAnswer afterSubmission(FuzzCase request, RawHttp.Response response, Body sent) {
    if (!"submitJob".equals(operationOf(request, resolvePath(request)))) {
      return null;
    }
    if (response.status() != 200 && response.status() != 202) {
      return null;
    }
    String id = new JsonObject(Buffer.buffer(response.body())).getString("id");
    List<String> wrong = new ArrayList<>();
    if (!("/api/jobs/" + id).equals(response.header("Location"))) {
      wrong.add("Location " + response.header("Location") + " is not /api/jobs/" + id);
    }
    int urls = urlsIn(sent);
    if (response.status() == 202) {
      if (jobs.containsKey(id)) {
        wrong.add("a 202 for a job acknowledged before: " + id);
      }
      jobs.put(id, new Job(id, urls));
      jobIds.add(id);
    } else if (!jobs.containsKey(id)) {
      wrong.add("a 200 (replay) for a job never acknowledged: " + id);
    } else if (jobs.get(id).urls() != urls) {
      wrong.add("a 200 (replay) of job " + id + " of " + jobs.get(id).urls() + " URLs for a body of " + urls);
    }
    if (!wrong.isEmpty()) {
      fail(request, request.target(), response, wrong, false);
    }
    return new JobAnswer(id);
  }

  private static int urlsIn(Body body) {
    try {
      return new JsonObject(Buffer.buffer(body.bytes())).getJsonArray("urls").size();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private RawHttp.Response exchange(FuzzCase request, String target, Body body) {
    requests++;
    boolean malformed = request.flags().contains(Flag.MALFORMED);
    // A malformed request may still be readable: then its request line names the operation.
    String[] named = malformed ? target.split("\r?\n", 2)[0].trim().split(" +") : new String[] {request.method(), target};
    String method = named.length == 3 || !malformed ? named[0] : "";
    // An absolute-form target (http://host/path) names the path after its authority.
    String path = named.length == 3 || !malformed
        ? named[1].replaceFirst("^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*", "").split("[?#]", 2)[0] : "";
    List<Operation> candidates = new ArrayList<>(contract.operations(method, path));
    if (request.flags().contains(Flag.ODD_PATH) && method.equalsIgnoreCase(request.method())
        && contract.operations().stream().anyMatch(o -> o.id().equals(request.operation()))) {
      // The router may normalise the odd path into the operation's own (a dot segment, a double slash).
      candidates.add(contract.operation(request.operation()));
    }
    operationsSeen.add(request.operation());
    byte[] head;
    byte[] payload;
    int requestLine;
    int headerBytes;
    if (malformed) {
      head = target.getBytes(StandardCharsets.UTF_8);
      payload = new byte[0];
      requestLine = target.indexOf('\n');
      headerBytes = head.length;
    } else {
      String line = request.method() + " " + target + " HTTP/1.1\r\n";
      StringBuilder headers = new StringBuilder("Host: ").append(host).append("\r\n");
      request.headers().forEach(h -> headers.append(h[0]).append(": ").append(h[1]).append("\r\n"));
      payload = body.chunked() ? chunked(body.bytes()) : body.bytes();
      if (body.chunked()) {
        headers.append("Transfer-Encoding: chunked\r\n");
      } else if (request.header("Content-Length") == null
          && (payload.length > 0 || Set.of("POST", "PUT", "PATCH").contains(request.method()))) {
        headers.append("Content-Length: ").append(payload.length).append("\r\n");
      }
      headers.append("\r\n");
      head = (line + headers).getBytes(StandardCharsets.UTF_8);
      requestLine = line.length();
      headerBytes = head.length - line.length();
    }
    Set<Integer> allowed = Answers.allowed(candidates, path, request.flags(), requestLine, headerBytes);
    if (!malformed && (!Answers.decodes(target) || request.header("Host") != null
        || request.headers().stream().anyMatch(h -> !Answers.plainFieldValue(h[1])))) {
      // A target that does not decode, a second Host header (RFC 9112), a control character or obs-text in a header.
      allowed.add(400);
    }
    RawHttp.Response response;
    try {
      response = http.exchange(request.method(), head, payload, request.flags().contains(Flag.FRESH));
    } catch (IOException e) {
      if (malformed && brokenChunks(target)) {
        // Vert.x closes the connection on a chunk it cannot decode, without an answer and with no hook to give one:
        // the one case where no answer is accepted (the body's framing is lost, so the connection must go anyway).
        return null;
      }
      outsideContract++;
      throw new AssertionError("no answer to " + request + " (sent as " + excerpt(head) + "): " + e, e);
    }
    // Of the operations the path may reach, one that declares this answer and whose schema it fits gave it.
    List<Operation> declaring = candidates.stream().filter(o -> o.statuses().contains(response.status())).toList();
    Operation operation = declaring.stream()
        .filter(o -> answers.check(o, method, allowed, response, request.header("Accept")).isEmpty()).findFirst()
        .orElse(declaring.isEmpty() ? (candidates.isEmpty() ? null : candidates.get(0)) : declaring.get(0));
    if (named.length == 3 && named[2].matches("HTTP/\\d\\.\\d") && !named[2].matches("HTTP/1\\.[01]")
        && response.status() == 501) {
      // The one answer outside the contract that is allowed: Vert.x answers a request line of another HTTP version
      // with an empty 501 before any handler of ours runs, and offers no hook to change that.
      return response;
    }
    List<String> wrong = new ArrayList<>(answers.check(operation, method, allowed, response,
        request.header("Accept")));
    if (wrong.isEmpty() && operation != null) {
      wrong.addAll(state(operation, request, target, body, response));
    }
    if (response.status() >= 500 && !reportNotReady(operation, response)) {
      serverErrors++;
      fail(request, target, response, wrong.isEmpty() ? List.of("a server error") : wrong, true);
    }
    if (!wrong.isEmpty()) {
      fail(request, target, response, wrong, false);
    }
    return response;
  }

  /**
   * The one 503 that is not a fault: a report asked for between the job's end and the report's writing (the
   * contract's "a report is not built yet"); it is still checked as a problem with Retry-After.
   */
  private static boolean reportNotReady(Operation operation, RawHttp.Response response) {
    return operation != null && operation.id().equals("getJobReport") && response.status() == 503
        && response.bodyText().contains("\"urn:fetchbus:problem:report-not-ready\"");
  }

  /** A raw request whose head declares chunked framing and whose body does not begin with a chunk size line. */
  private static boolean brokenChunks(String raw) {
    String[] parts = raw.split("\r?\n\r?\n", 2);
    return parts.length == 2 && parts[0].toLowerCase(Locale.ROOT).matches("(?s).*\ntransfer-encoding:[^\n]*chunked.*")
        && !parts[1].matches("(?s)[0-9a-fA-F]+\r?\n.*");
  }

  /** What the answer says about the server's state, checked against what the run knows. */
  private List<String> state(Operation operation, FuzzCase request, String target, Body body,
                             RawHttp.Response response) {
    List<String> wrong = new ArrayList<>();
    String id = idIn(operation, target);
    switch (operation.id()) {
      case "getJob" -> {
        if (response.status() == 200 && id != null && jobs.containsKey(id)
            && new JsonObject(Buffer.buffer(response.body())).getInteger("total") != jobs.get(id).urls()) {
          wrong.add("job " + id + " has a total other than the " + jobs.get(id).urls() + " URLs sent");
        }
        if (response.status() == 200 && purged.contains(id)) {
          wrong.add("job " + id + " is there after it was purged");
        }
      }
      case "deleteJob" -> {
        if (response.status() == 204 && id != null) {
          purged.add(id);
        }
      }
      case "createUpload" -> {
        if (response.status() == 201) {
          JsonObject upload = new JsonObject(Buffer.buffer(response.body()));
          String uploadId = upload.getString("id");
          String sha256 = sha256(body.bytes());
          if (upload.getLong("bytes") != body.bytes().length || !sha256.equals(upload.getString("sha256"))) {
            wrong.add("the upload stored " + upload.getLong("bytes") + " bytes with SHA-256 " + upload.getString("sha256")
                + ", not the " + body.bytes().length + " bytes sent (" + sha256 + ")");
          }
          if (!("/api/uploads/" + uploadId).equals(response.header("Location"))) {
            wrong.add("Location " + response.header("Location") + " is not /api/uploads/" + uploadId);
          }
          uploads.put(uploadId, new Upload(uploadId, sha256, upload.getString("contentType")));
          uploadIds.add(uploadId);
        }
      }
      case "getUploadContent" -> {
        Upload upload = uploads.get(id);
        if (response.status() == 200 && upload != null && !sha256(response.body()).equals(upload.sha256())) {
          wrong.add("upload " + id + " came back with other bytes than were stored");
        }
        if (response.status() == 200 && upload != null && !upload.contentType().equals(response.header("Content-Type"))) {
          wrong.add("upload " + id + " came back as " + response.header("Content-Type") + ", not " + upload.contentType());
        }
      }
      case "deleteUpload" -> {
        if (response.status() == 204 && id != null) {
          deletedUploads.add(id);
        }
      }
      case "hello", "helloName" -> {
        if (response.status() == 200 && !request.flags().contains(Flag.ODD_PATH)) {
          String name = operation.id().equals("hello") ? "Anonymous"
              : URLDecoder.decode(target.split("\\?")[0].substring("/hello/".length()).replace("+", "%2B"),
                  StandardCharsets.UTF_8);
          if (!response.bodyText().equals("Hello, " + name)) {
            wrong.add("a greeting other than 'Hello, " + name + "'");
          }
        }
      }
      default -> {
      }
    }
    return wrong;
  }

  /** The canonical id in a request path with an {id}, or null if it is not a UUID. */
  private static String idIn(Operation operation, String target) {
    if (!operation.path().contains("{id}")) {
      return null;
    }
    String[] segments = target.split("[?#]", 2)[0].split("/");
    try {
      return UUID.fromString(segments[3]).toString();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private String operationOf(FuzzCase request, String path) {
    List<Operation> candidates = contract.operations(request.method(), path);
    return candidates.isEmpty() ? null : candidates.get(0).id();
  }

  private String resolvePath(FuzzCase request) {
    return resolve(request.target()).split("[?#]", 2)[0];
  }

  /** The target with the ids it names resolved: the n-th (modulo) job or upload seen, or a UUID no one has. */
  private String resolve(String target) {
    Matcher matcher = PLACEHOLDER.matcher(target);
    StringBuilder resolved = new StringBuilder();
    while (matcher.find()) {
      List<String> known = matcher.group(1).equals("job") ? jobIds : uploadIds;
      int n = Integer.parseInt(matcher.group(3));
      String id = known.isEmpty() ? new UUID(n, n).toString() : known.get(n % known.size());
      matcher.appendReplacement(resolved, matcher.group(2) == null ? id : id.toUpperCase(Locale.ROOT));
    }
    matcher.appendTail(resolved);
    return resolved.toString();
  }

  private static byte[] chunked(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int at = 0; at < bytes.length; at += 1000) {
      int length = Math.min(1000, bytes.length - at);
      out.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes, at, length);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private void fail(FuzzCase request, String target, RawHttp.Response response, List<String> wrong,
                    boolean counted) {
    if (!counted) {
      outsideContract++;
    }
    throw new AssertionError(String.join("; ", wrong) + "\nrequest: " + request + "\nsent to: "
        + excerpt(target.getBytes(StandardCharsets.UTF_8)) + "\nanswer: " + response);
  }

  private static String excerpt(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    return text.length() > 500 ? text.substring(0, 500) + "…" : text;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
