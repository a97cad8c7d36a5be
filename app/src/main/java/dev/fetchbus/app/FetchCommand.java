package dev.fetchbus.app;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.ResultFormat;
import dev.fetchbus.verticles.fetch.MirrorRoot;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.http.api.JobsApi;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/**
 * {@code fetch FILE|-}: one shot, like {@code aria2c -i}. Starts the service in this process (the embedded
 * database, or {@code FETCHBUS_PG_URL}) with only what a job needs, runs the file's URLs as one job with a progress
 * display, writes the results if asked, prints a summary, and stops. Exit status: 0 when every URL is ok, 2 when
 * some are not, 1 on a usage or start-up error, 130 after Ctrl-C (the job is cancelled first).
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
    description = "Fetch the URLs of FILE (one a line; - reads standard input) as one job, then stop.")
final class FetchCommand implements Callable<Integer> {
  /**
   * Verticles a one-shot run starts with: the HTTP verticle takes submissions from the bus, on a port of its own.
   * The fetcher is deployed once the job to follow is known, so that {@code --resume} finds the job it is to finish
   * before the fetcher, which resumes unfinished jobs as it starts, can end it.
   */
  private static final List<String> ROLES = List.of("migrations", "store", "http");
  private static final int PAGE = 1_000;
  private static final long BUS_MS = 30_000;

  @Parameters(paramLabel = "FILE", arity = "0..1", description = "file of URLs, or - for standard input")
  String file;
  @Option(names = "--resume", description = "instead of a FILE: finish the newest unfinished job of this data dir "
      + "(one whose process was killed or crashed)")
  boolean resume;
  @Mixin
  JobFlags jobFlags;
  @Option(names = "--mirror", paramLabel = "DIR",
      description = "save each 2xx body under DIR/host[:port]/path, as wget -x does (never outside DIR)")
  Path mirror;
  @Option(names = "--out", description = "results as NDJSON, or CSV when FILE ends in .csv")
  Path out;
  @Option(names = "--allow", paramLabel = "CIDR", description = "private range the fetcher may reach (repeatable)")
  List<String> allow = new ArrayList<>();
  @Option(names = "--quiet", description = "no progress display and no summary")
  boolean quiet;

  private List<String> fetcherIds = List.of();
  private final Map<String, String> env;
  private final PrintStream stdout;
  private final PrintStream stderr;

  FetchCommand(Map<String, String> env, PrintStream stdout, PrintStream stderr) {
    this.env = env;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() throws Exception {
    if (resume == (file != null)) {
      stderr.println(resume ? "--resume takes no FILE" : "give a FILE of URLs (or - for standard input), or --resume");
      return 1;
    }
    JsonObject config = config();
    if (resume) {
      return withService(config, this::resumeNewest);
    }
    UrlList list;
    try (BufferedReader in = file.equals("-")
        ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
        : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      list = UrlList.read(in, config.getJsonObject("jobs").getInteger("maxUrlLength"));
    }
    list.problems().forEach(stderr::println);
    if (list.urls().isEmpty()) {
      stderr.println("no URL to fetch in " + file);
      return 1;
    }
    return withService(config, app -> run(app, list.urls()));
  }

  /** What runs against the in-process service: an exit status. */
  private interface Work {
    int run(FetchbusApp app) throws Exception;
  }

  private int withService(JsonObject config, Work work) throws Exception {
    FetchbusApp app;
    try {
      app = FetchbusApp.start(config, DeploymentPlan.fromJson(ConfigLoader.resource("conf/plan.json")));
    } catch (Exception e) {
      stderr.println("Fetchbus did not start: " + e.getMessage());
      return 1;
    }
    try {
      return work.run(app);
    } finally {
      // The fetcher first, while the store it hands its last results and leases to is still there.
      FetchbusApp.await(DeploymentPlan.undeploy(app.vertx(), fetcherIds), BUS_MS);
      app.stop();
    }
  }

  private void startFetcher(FetchbusApp app) throws Exception {
    DeploymentPlan fetcher = DeploymentPlan.fromJson(ConfigLoader.resource("conf/plan.json")).forRoles(List.of("fetch"));
    fetcherIds = FetchbusApp.await(fetcher.deploy(app.vertx(), app.config()), BUS_MS);
  }

  /**
   * The newest job left running (or queued) in this data dir: the fetcher resumes it on its own, from its stored
   * results, once the lease of the process that died has run out; this follows it to its end.
   */
  private int resumeNewest(FetchbusApp app) throws Exception {
    Bus bus = new Bus(app.vertx(), BUS_MS);
    for (JobStatus status : List.of(JobStatus.RUNNING, JobStatus.QUEUED)) {
      List<JobView> jobs = FetchbusApp.await(StoreApi.client(bus).list(new StoreApi.JobQuery(status, null, 1)),
          BUS_MS);
      if (!jobs.isEmpty()) {
        JobView job = jobs.get(0);
        startFetcher(app);
        if (!quiet) {
          stderr.printf("resuming job %s: %d of %d done before%n", job.id(), job.completed(), job.total());
        }
        return follow(app, bus, job.id(), job.total());
      }
    }
    stderr.println("no unfinished job to resume in this data dir");
    return 1;
  }

  /**
   * The environment's configuration, as a process of its own: never clustered, no management port, HTTP on an
   * ephemeral loopback port without warm-up.
   */
  private JsonObject config() {
    JsonObject config = ConfigLoader.load(env);
    config.put("roles", new JsonArray(ROLES));
    config.getJsonObject("cluster").put("enabled", false);
    config.getJsonObject("management").put("port", 0);
    config.getJsonObject("http").put("host", "127.0.0.1").put("port", 0)
        .getJsonObject("warmup").put("requests", 0);
    JsonArray ranges = config.getJsonObject("fetch").getJsonArray("allow");
    allow.forEach(ranges::add);
    return config;
  }

  private int run(FetchbusApp app, List<String> urls) throws Exception {
    Bus bus = new Bus(app.vertx(), BUS_MS);
    JsonObject job;
    try {
      job = jobFlags.job(urls);
    } catch (IllegalArgumentException e) {
      stderr.println(e.getMessage());
      return 1;
    }
    if (mirror != null) {
      job.put("body", "mirror");
    }
    // The fetcher first, so that the stored job is handed to it at once rather than found by its next sweep.
    startFetcher(app);
    JobsApi.Submitted submitted;
    try {
      submitted = FetchbusApp.await(JobsApi.client(bus).submit(job), BUS_MS);
    } catch (Exception e) {
      stderr.println("the job was refused: " + (e.getCause() == null ? e : e.getCause().getMessage()));
      return 1;
    }
    return follow(app, bus, submitted.id(), urls.size());
  }

  /** Follows the job to its end (Ctrl-C cancels it), reads its results, prints the summary; the exit status. */
  private int follow(FetchbusApp app, Bus bus, String id, int total) throws Exception {
    AtomicBoolean interrupted = new AtomicBoolean();
    Signal.handle(new Signal("INT"), signal -> {
      // Cancelled, not dropped: the results so far are stored and the job ends as cancelled.
      interrupted.set(true);
      FetchApi.client(bus).cancel(id);
    });
    long started = System.nanoTime();
    StoreApi store = StoreApi.client(bus);
    JsonObject view = JobProgress.follow(() -> FetchbusApp.await(store.view(id), BUS_MS), total, quiet, stderr);
    List<JsonObject> bodies = new ArrayList<>();
    RunSummary summary = results(store, id, bodies);
    if (!quiet) {
      summary.print(stdout, view, (System.nanoTime() - started) / 1e9);
    }
    if (mirror != null) {
      int placed = copyBodies(app.config(), bodies);
      if (!quiet) {
        stdout.printf("%d bodies under %s%n", placed, mirror);
      }
    }
    if (interrupted.get()) {
      return 130;
    }
    return summary.allOk(total) ? 0 : 2;
  }

  /**
   * Reads every stored result once: written to {@code --out} if given, and counted for the summary; with
   * {@code --mirror}, those with a kept body go to {@code bodies}.
   */
  private RunSummary results(StoreApi store, String id, List<JsonObject> bodies) throws Exception {
    RunSummary summary = new RunSummary();
    ResultFormat format = out != null && out.toString().endsWith(".csv") ? ResultFormat.CSV : ResultFormat.NDJSON;
    try (Writer writer = out == null ? Writer.nullWriter() : Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      writer.write(format.header);
      int after = -1;
      while (true) {
        List<FetchResult> rows = FetchbusApp.await(store.results(new StoreApi.ResultQuery(id, after, PAGE, "all")),
            BUS_MS);
        for (FetchResult result : rows) {
          JsonObject row = result.toJson();
          writer.write(format.line(row));
          summary.add(row);
          if (mirror != null && row.getString("path") != null) {
            bodies.add(row);
          }
        }
        if (rows.size() < PAGE) {
          return summary;
        }
        after = rows.get(rows.size() - 1).seq();
      }
    }
  }

  /**
   * Copies the kept bodies from the service's mirror dir ({@code fetch.mirrorDir}, else {@code <dataDir>/mirror},
   * where a result's {@code path} "mirror/<job>/<seq>" is) to {@code --mirror}, laid out by {@link MirrorLayout}.
   */
  private int copyBodies(JsonObject config, List<JsonObject> bodies) throws IOException {
    MirrorRoot kept = MirrorRoot.of(config);
    MirrorLayout layout = new MirrorLayout(mirror);
    for (JsonObject body : bodies) {
      Path target = layout.place(body.getString("url"));
      Files.createDirectories(target.getParent());
      Files.copy(kept.body(body.getString("path")), target);
    }
    return bodies.size();
  }

}
