package dev.fetchbus.verticles.reports;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.JobId;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.ResultFormat;
import dev.fetchbus.verticles.files.DirectorySweep;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds an ended job's report, {@code <dataDir>/reports/<id>.ndjson.gz} and {@code .csv.gz}, when it is first
 * asked for ({@link Addresses#REPORTS_BUILD}), and keeps it. Building at every job's end cost a running job about a
 * tenth of the CPU (reading all its rows back and rendering them twice) for files most jobs never have fetched.
 * Compressing and writing files blocks, so the plan deploys this as a worker: none of it runs on an event loop. At
 * start it first sweeps the reports dir: unfinished report files, and reports of jobs that no longer exist, go.
 */
public class ReportVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ReportVerticle.class);
  private static final int PAGE = 5_000;

  private Bus bus;
  private Path reports;
  /** Completes when the start-up sweep is over: no build begins before, so the sweep never meets one. */
  private Future<Void> swept;
  /** Builds under way by job id: a second ask for the same report waits for the first build. */
  private final Map<String, Future<Void>> building = new HashMap<>();

  @Override
  public Future<?> start() throws IOException {
    bus = new Bus(vertx, config().getJsonObject("http").getLong("busTimeoutMs"));
    reports = Path.of(config().getString("dataDir")).toAbsolutePath().resolve("reports");
    Files.createDirectories(reports);
    swept = sweep();
    return Future.all(
        Bus.consume(vertx, Addresses.REPORTS_BUILD, request -> {
          String jobId = JobId.canonical(request.getString("id"));
          return ensure(jobId).map(built -> files(jobId));
        }),
        Bus.consume(vertx, Addresses.REPORTS_DELETE, request -> delete(JobId.canonical(request.getString("id")))));
  }

  /** Where the job's report files are, by format ({"ndjson": path, "csv": path}): readers never build the names. */
  private JsonObject files(String jobId) {
    JsonObject files = new JsonObject();
    for (ResultFormat format : ResultFormat.values()) {
      files.put(format.wire(), ReportWriter.file(reports, jobId, format).toString());
    }
    return new JsonObject().put("files", files);
  }

  /**
   * Removes the job's report files (a purge): those present, on a worker thread, once a build under way has ended
   * (else it would rename its files into place after the delete).
   */
  private Future<JsonObject> delete(String jobId) {
    Future<Void> underway = building.getOrDefault(jobId, Future.succeededFuture());
    return underway.otherwiseEmpty().compose(v -> vertx.executeBlocking(() -> {
      int deleted = 0;
      for (ResultFormat format : ResultFormat.values()) {
        if (Files.deleteIfExists(ReportWriter.file(reports, jobId, format))) {
          deleted++;
        }
      }
      return new JsonObject().put("deleted", deleted);
    }, false));
  }

  /** The job's report files, once it has ended: kept if built before, else built now. */
  private Future<Void> ensure(String jobId) {
    return bus.request(Addresses.STORE_JOBS_GET, new JsonObject().put("id", jobId)).compose(job -> {
      if (!JobStatus.fromWire(job.getString("status")).finished()) {
        throw FailureCode.CONFLICT.exception("job " + jobId + " has not finished: its report comes when it does");
      }
      if (Arrays.stream(ResultFormat.values()).allMatch(f -> Files.exists(ReportWriter.file(reports, jobId, f)))) {
        return Future.succeededFuture();
      }
      Future<Void> underway = building.get(jobId);
      if (underway == null) {
        underway = swept.compose(v -> build(jobId));
        building.put(jobId, underway);
        // Registered after the put: a build that fails at once must not stay behind as the answer for this job.
        Future<Void> mine = underway;
        underway.onComplete(ar -> building.remove(jobId, mine));
      }
      return underway;
    });
  }

  private Future<Void> sweep() {
    return new DirectorySweep(vertx, reports, ReportVerticle::jobIdOf, ids -> bus.request(Addresses.STORE_JOBS_KNOWN,
            new JsonObject().put("ids", new JsonArray(ids)))
        .map(known -> {
          // A job being purged keeps no report: its purge may have run while this verticle was not there to ask.
          Set<String> kept = DirectorySweep.idSet(known.getJsonArray("existing"));
          kept.removeAll(DirectorySweep.idSet(known.getJsonArray("purging")));
          return DirectorySweep.Kept.existing(kept);
        }),
        DirectorySweep.cutoffNow()).run()
        .onSuccess(removed -> LOG.info("report sweep of {}: removed {} unfinished file(s) and {} report(s) of jobs that"
            + " no longer exist{}", reports, removed.temporary(), removed.orphans(), removed.failureNote()))
        .onFailure(err -> LOG.warn("report sweep of {} did not complete; the next start tries again: {}", reports,
            err.toString()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** {@code <jobId>.ndjson.gz} or {@code <jobId>.csv.gz} belong to that job; other names are not reports. */
  private static String jobIdOf(String name) {
    for (ResultFormat format : ResultFormat.values()) {
      String suffix = ReportWriter.suffix(format);
      if (name.endsWith(suffix)) {
        return DirectorySweep.canonicalUuid(name.substring(0, name.length() - suffix.length()));
      }
    }
    return null;
  }

  private Future<Void> build(String jobId) {
    ReportWriter writer;
    try {
      writer = new ReportWriter(reports, jobId);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    long started = System.nanoTime();
    return page(writer, jobId, -1)
        .compose(v -> {
          try {
            writer.commit();
            return Future.<Void>succeededFuture();
          } catch (IOException e) {
            return Future.failedFuture(e);
          }
        })
        .onSuccess(v -> LOG.info("report of job {} built: {} results in {} ms", jobId, writer.rows(),
            (System.nanoTime() - started) / 1_000_000))
        .onFailure(err -> writer.discard());
  }

  private Future<Void> page(ReportWriter writer, String jobId, int afterSeq) {
    return bus.request(Addresses.STORE_RESULTS_PAGE, new JsonObject().put("id", jobId).put("afterSeq", afterSeq)
            .put("limit", PAGE))
        .compose(reply -> {
          JsonArray rows = reply.getJsonArray("results");
          try {
            writer.write(rows);
          } catch (IOException e) {
            return Future.failedFuture(e);
          }
          return rows.size() < PAGE ? Future.succeededFuture()
              : page(writer, jobId, rows.getJsonObject(rows.size() - 1).getInteger("seq"));
        });
  }
}
