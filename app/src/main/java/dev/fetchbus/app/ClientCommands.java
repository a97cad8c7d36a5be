package dev.fetchbus.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code submit}, {@code watch}, {@code results}, {@code cancel} and {@code jobs}: the same jobs as {@code fetch},
 * against a running server over its HTTP API. The server is {@code --server} or {@code FETCHBUS_SERVER}
 * (default http://127.0.0.1:8080), the token {@code --token} or {@code FETCHBUS_TOKEN}. Exit status: 0, or for a
 * job followed to its end 0 when every URL is ok and 2 when some are not; 1 when the server refused or could not be
 * reached (its problem's detail on stderr).
 */
@Command(name = "fetchbus.jar", mixinStandardHelpOptions = true,
    description = "Jobs on a running Fetchbus server.")
final class ClientCommands {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, String> env;
  private final PrintStream stdout;
  private final PrintStream stderr;

  ClientCommands(Map<String, String> env, PrintStream stdout, PrintStream stderr) {
    this.env = env;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Where the server is and how to prove who is asking. */
  static final class Server {
    @Option(names = "--server", paramLabel = "URL", description = "the server (default: FETCHBUS_SERVER, else "
        + "http://127.0.0.1:8080)")
    String url;
    @Option(names = "--token", description = "API token (default: FETCHBUS_TOKEN)")
    String token;
  }

  @Command(name = "submit", mixinStandardHelpOptions = true,
      description = "Submit the URLs of FILE (one a line; - reads standard input) as one job; print its id.")
  int submit(@Parameters(paramLabel = "FILE") String file, @Mixin Server server, @Mixin JobFlags flags,
             @Option(names = "--wait", description = "follow the job to its end, as watch does") boolean wait,
             @Option(names = "--quiet", description = "no progress display") boolean quiet) throws Exception {
    UrlList list;
    try (BufferedReader in = file.equals("-")
        ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
        : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      list = UrlList.read(in, Integer.MAX_VALUE);
    }
    list.problems().forEach(stderr::println);
    if (list.urls().isEmpty()) {
      stderr.println("no URL to submit in " + file);
      return 1;
    }
    JsonObject body;
    try {
      body = flags.job(list.urls());
    } catch (IllegalArgumentException e) {
      stderr.println(e.getMessage());
      return 1;
    }
    Api api = new Api(server);
    HttpResponse<String> response = api.send("POST", "/api/jobs", body.encode());
    if (response.statusCode() / 100 != 2) {
      return api.refused(response);
    }
    String id = new JsonObject(response.body()).getString("id");
    stdout.println(id);
    return wait ? api.follow(id, quiet) : 0;
  }

  @Command(name = "watch", mixinStandardHelpOptions = true,
      description = "Follow a job to its end with a progress display; exit 0 when every URL is ok, 2 when not.")
  int watch(@Parameters(paramLabel = "ID") String id, @Mixin Server server,
            @Option(names = "--quiet", description = "no progress display") boolean quiet) throws Exception {
    return new Api(server).follow(id, quiet);
  }

  @Command(name = "results", mixinStandardHelpOptions = true, description = "Print a job's results.")
  int results(@Parameters(paramLabel = "ID") String id, @Mixin Server server,
              @Option(names = "--format", defaultValue = "ndjson", description = "ndjson or csv") String format,
              @Option(names = "--outcome", defaultValue = "all",
                  description = "all, error (every outcome but ok) or one outcome") String outcome) throws Exception {
    if (!format.equals("ndjson") && !format.equals("csv")) {
      stderr.println("--format is ndjson or csv");
      return 1;
    }
    Api api = new Api(server);
    HttpResponse<InputStream> response = api.stream("/api/jobs/" + id + "/results?outcome="
        + URLEncoder.encode(outcome, StandardCharsets.UTF_8), format.equals("csv") ? "text/csv" : "application/x-ndjson");
    if (response.statusCode() != 200) {
      return api.refused(response.statusCode(), new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
    }
    try (InputStream body = response.body()) {
      body.transferTo(stdout);
    }
    stdout.flush();
    return 0;
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a job: fetches in flight are aborted, the URLs without a result end as cancelled.")
  int cancel(@Parameters(paramLabel = "ID") String id, @Mixin Server server) throws Exception {
    Api api = new Api(server);
    HttpResponse<String> response = api.send("DELETE", "/api/jobs/" + id, null);
    if (response.statusCode() != 200) {
      return api.refused(response);
    }
    JsonObject job = new JsonObject(response.body());
    stdout.printf("%s %s: %d of %d done%n", job.getString("id"), job.getString("status"),
        job.getInteger("completed"), job.getInteger("total"));
    return 0;
  }

  @Command(name = "jobs", mixinStandardHelpOptions = true, description = "List jobs, newest first.")
  int jobs(@Mixin Server server,
           @Option(names = "--status", description = "queued, running, done, cancelled or failed") String status,
           @Option(names = "--limit", defaultValue = "20", description = "how many (1-1000)") int limit)
      throws Exception {
    Api api = new Api(server);
    HttpResponse<String> response = api.send("GET", "/api/jobs?limit=" + limit
        + (status == null ? "" : "&status=" + URLEncoder.encode(status, StandardCharsets.UTF_8)), null);
    if (response.statusCode() != 200) {
      return api.refused(response);
    }
    JsonArray jobs = new JsonObject(response.body()).getJsonArray("jobs");
    stdout.printf("%-36s  %-9s  %15s  %7s  %s%n", "ID", "STATUS", "DONE/TOTAL", "FAILED", "CREATED");
    for (int i = 0; i < jobs.size(); i++) {
      JsonObject job = jobs.getJsonObject(i);
      stdout.printf("%-36s  %-9s  %15s  %7d  %s%n", job.getString("id"), job.getString("status"),
          job.getInteger("completed") + "/" + job.getInteger("total"), job.getInteger("failed"),
          job.getString("createdAt"));
    }
    return 0;
  }

  /** The HTTP API of one server, with its token; blocking calls, for a command's own thread. */
  private final class Api {
    private final String base;
    private final String token;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    Api(Server server) {
      String url = server.url != null ? server.url : env.getOrDefault("FETCHBUS_SERVER", "http://127.0.0.1:8080");
      this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      this.token = server.token != null ? server.token : env.get("FETCHBUS_TOKEN");
    }

    HttpResponse<String> send(String method, String path, String json) throws IOException, InterruptedException {
      return reach(request(path, "application/json")
              .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                  : HttpRequest.BodyPublishers.ofString(json))
              .header("Content-Type", "application/json").build(),
          HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<InputStream> stream(String path, String accept) throws IOException, InterruptedException {
      return reach(request(path, accept).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private <T> HttpResponse<T> reach(HttpRequest request, HttpResponse.BodyHandler<T> body)
        throws IOException, InterruptedException {
      try {
        return client.send(request, body);
      } catch (IOException e) {
        throw new IOException("cannot reach " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
            : e.getMessage()), e);
      }
    }

    private HttpRequest.Builder request(String path, String accept) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
          .header("Accept", accept);
      return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    /** Follows the job to its end; 0 when every URL is ok, 2 when not. */
    int follow(String id, boolean quiet) throws Exception {
      JsonObject first = job(id);
      JsonObject ended = JobProgress.follow(() -> job(id), first.getInteger("total"), quiet, stderr);
      if (!quiet) {
        stdout.printf("%s %s: %d ok, %d failed of %d%n", id, ended.getString("status"), ended.getInteger("succeeded"),
            ended.getInteger("failed"), ended.getInteger("total"));
      }
      return ended.getString("status").equals("done") && ended.getInteger("failed") == 0 ? 0 : 2;
    }

    private JsonObject job(String id) throws Exception {
      HttpResponse<String> response = send("GET", "/api/jobs/" + id, null);
      if (response.statusCode() != 200) {
        throw new IllegalStateException(problem(response.statusCode(), response.body()));
      }
      return new JsonObject(response.body());
    }

    int refused(HttpResponse<String> response) {
      return refused(response.statusCode(), response.body());
    }

    int refused(int status, String body) {
      stderr.println(problem(status, body));
      return 1;
    }

    private String problem(int status, String body) {
      try {
        JsonObject problem = new JsonObject(body);
        return status + " " + problem.getString("title", "") + ": " + problem.getString("detail", body);
      } catch (RuntimeException notJson) {
        return status + ": " + body;
      }
    }
  }
}
