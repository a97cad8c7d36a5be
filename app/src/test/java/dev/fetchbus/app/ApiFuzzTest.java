package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.app.fuzz.Contract;
import dev.fetchbus.app.fuzz.FuzzCase;
import dev.fetchbus.app.fuzz.Fuzzer;
import dev.fetchbus.app.fuzz.RawHttp;
import dev.fetchbus.app.fuzz.RequestCases;
import dev.fetchbus.verticles.testing.BlockedThreadAlarm;
import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Property-based fuzzing of the HTTP API, driven by docs/openapi.yaml: requests drawn from the contract's operations
 * and schemas — valid, mutated, malformed — go over real loopback HTTP to the whole app on a real PostgreSQL. Every
 * answer must keep the contract (no 5xx, a declared status, errors as problem+json, successes that parse and fit
 * their schema), and afterwards every job any 202 acknowledged must be whole: its total the number of URLs sent, with
 * that many URL rows. {@code -Dfetchbus.fuzz.requests=N} sends at least N requests (default {@value #DEFAULT_REQUESTS}).
 */
class ApiFuzzTest {
  static final int DEFAULT_REQUESTS = 3_000;
  private static final String TOKEN = "fuzz-token";
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(45);
  /** How many jobs also have their view and results read back over the API at the end. */
  private static final int READ_BACK = 100;

  private static Vertx vertx;
  private static TestOrigin origin;
  private static Path dataDir;
  private static TestApp app;
  private static RawHttp http;
  private static Contract contract;
  private static Fuzzer fuzzer;
  private static long startedNanos;

  @BeforeContainer
  static void start() throws Exception {
    vertx = StrictVertx.create();
    origin = await(TestOrigin.start(vertx));
    dataDir = TestApp.newDataDir();
    app = TestApp.start(dataDir, config -> {
      // One token, and a rate limit the fuzzer never reaches: requests without the token are still refused.
      config.getJsonObject("auth").put("tokens", new JsonArray().add(TOKEN))
          .getJsonObject("rateLimit").put("capacity", 1e9).put("refillPerSecond", 1e9);
      // A blocked event loop is logged with its stack: the fuzzer should say where, not only that.
      config.getJsonObject("vertx").put("warningExceptionTimeMs", StrictVertx.MAX_EVENT_LOOP_MS);
    });
    contract = Contract.load();
    http = new RawHttp("127.0.0.1", app.port, ANSWER_TIMEOUT);
    fuzzer = new Fuzzer(contract, http, "127.0.0.1:" + app.port);
    fuzzer.authorizeWith(TOKEN);
    BlockedThreadAlarm.drain();
    startedNanos = System.nanoTime();
  }

  @AfterContainer
  static void stop() throws Exception {
    try {
      if (http != null) {
        http.close();
      }
      if (app != null) {
        app.close();
      }
    } finally {
      await(vertx.close());
      TestApp.delete(dataDir);
    }
  }

  @Provide
  Arbitrary<FuzzCase> requests() {
    JsonObject config = app.app.config();
    return new RequestCases(contract, new RequestCases.Setup(origin.url(""), TOKEN,
        config.getJsonObject("jobs").getInteger("maxUrls"), config.getJsonObject("jobs").getInteger("maxUrlLength"),
        config.getJsonObject("http").getInteger("maxBodyBytes"), TestApp.UPLOAD_MAX_BYTES)).all();
  }

  // No jqwik edge cases: they favour the first alternative of every choice (the first operation, the first body
  // kind) and crowd out the rest; the generators put the edges (limits, empty, huge) in on purpose.
  @Property(generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
  @AddLifecycleHook(FuzzRun.class)
  void everyAnswerKeepsTheContract(@ForAll("requests") FuzzCase request) {
    Statistics.label("operation").collect(request.operation());
    fuzzer.send(request);
  }

  /**
   * After the run: every job still there is cancelled and has ended; each acknowledged job exists with the total of
   * URLs sent, that many URL rows, and as many result rows as it counts completed; purged jobs have left nothing.
   * Returns the number of jobs checked.
   */
  private static long nothingAcknowledgedIsHalfWritten() throws Exception {
    long checked = 0;
    List<Fuzzer.Job> jobs = fuzzer.liveJobs();
    jobs.forEach(job -> fuzzer.cancel(job.id()));
    String ids = uuidArray(jobs.stream().map(Fuzzer.Job::id).toList());
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(60), 100, () -> vertx.executeBlocking(() ->
        app.jobRows("id = ANY(" + ids + ") AND status IN ('queued', 'running')") == 0)), Duration.ofSeconds(70));
    Map<String, List<Object>> rows = new HashMap<>();
    for (List<Object> row : app.rows("SELECT id::text, total, completed, "
        + "(SELECT count(*) FROM job_urls u WHERE u.job_id = j.id), (SELECT count(*) FROM results r WHERE r.job_id = j.id) "
        + "FROM jobs j WHERE id = ANY(" + ids + ")")) {
      rows.put((String) row.get(0), row);
    }
    for (Fuzzer.Job job : jobs) {
      List<Object> row = rows.get(job.id());
      assertThat(row).as("job %s, acknowledged with a 202", job.id()).isNotNull();
      assertThat(((Number) row.get(1)).intValue()).as("total of job %s", job.id()).isEqualTo(job.urls());
      assertThat(((Number) row.get(3)).intValue()).as("URL rows of job %s", job.id()).isEqualTo(job.urls());
      assertThat(((Number) row.get(4)).intValue()).as("result rows of job %s", job.id())
          .isEqualTo(((Number) row.get(2)).intValue());
      checked++;
    }
    for (Fuzzer.Job job : jobs.subList(0, Math.min(READ_BACK, jobs.size()))) {
      readBack(job);
    }
    String purged = uuidArray(List.copyOf(fuzzer.purgedJobs()));
    assertThat(app.jobRows("id = ANY(" + purged + ")")).as("purged jobs still there").isZero();
    assertThat(app.rows("SELECT count(*) FROM job_urls WHERE job_id = ANY(" + purged + ")").get(0).get(0))
        .as("URL rows of purged jobs").isEqualTo(0L);
    checked += fuzzer.purgedJobs().size();
    assertThat(app.uploadRows()).as("uploads stored and not deleted").isEqualTo(fuzzer.liveUploads());
    assertThat(BlockedThreadAlarm.drain()).as("event loops reported blocked").isEmpty();
    if (fuzzer.requests() >= DEFAULT_REQUESTS) {
      assertThat(operations()).as("operations exercised").isEqualTo(contract.operations().size());
    }
    return checked;
  }

  /** The job's view and its results over the API agree with what was sent and what the job counts. */
  private static void readBack(Fuzzer.Job job) {
    JsonObject view = new JsonObject(io.vertx.core.buffer.Buffer.buffer(
        fuzzer.get("getJob", "/api/jobs/" + job.id()).body()));
    assertThat(view.getInteger("total")).as("total of job %s", job.id()).isEqualTo(job.urls());
    assertThat(view.getString("status")).as("status of job %s", job.id()).isIn("done", "cancelled", "failed");
    String results = fuzzer.get("getJobResults", "/api/jobs/" + job.id() + "/results").bodyText();
    Set<Integer> seqs = new HashSet<>();
    results.lines().filter(line -> !line.isEmpty()).forEach(line -> seqs.add(new JsonObject(line).getInteger("seq")));
    assertThat(seqs).as("result seqs of job %s", job.id()).hasSize(view.getInteger("completed"))
        .allMatch(seq -> seq >= 0 && seq < job.urls());
  }

  private static long operations() {
    Set<String> ids = contract.operations().stream().map(Contract.Operation::id).collect(Collectors.toSet());
    return fuzzer.operationsSeen().stream().filter(ids::contains).count();
  }

  private static String uuidArray(List<String> ids) {
    return ids.stream().map(id -> UUID.fromString(id).toString())
        .collect(Collectors.joining(",", "'{", "}'::uuid[]"));
  }

  /**
   * The run around the property: its tries from {@code fetchbus.fuzz.requests} (each try sends at least one request);
   * once every try has passed, the check that nothing acknowledged is half-written; and, whatever happened, the
   * summary line.
   */
  static final class FuzzRun implements AroundPropertyHook {
    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
      context.attributes().setTries(Integer.getInteger("fetchbus.fuzz.requests", DEFAULT_REQUESTS));
      PropertyExecutionResult result = property.execute();
      long checked = 0;
      try {
        if (result.status() == PropertyExecutionResult.Status.SUCCESSFUL) {
          checked = nothingAcknowledgedIsHalfWritten();
        }
      } catch (Throwable failure) {
        result = result.mapToFailed(failure);
      } finally {
        // The first line is what fault-table scripts read: keep its form.
        System.out.printf("fuzz: %d requests, %d operations, %d 5xx, %d outside the contract, %d jobs checked%n",
            fuzzer.requests(), operations(), fuzzer.serverErrors(), fuzzer.outsideContract(), checked);
        System.out.printf("fuzz: %d connections, %.1f s%n", http.connections(),
            (System.nanoTime() - startedNanos) / 1e9);
      }
      return result;
    }

    @Override
    public int aroundPropertyProximity() {
      return -100; // outside jqwik's own hooks: the tries must be set before the property starts
    }
  }
}
