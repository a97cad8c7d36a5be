package dev.fetchbus.verticles.reports;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.ResultFormat;
import dev.fetchbus.verticles.files.DirectorySweep;
import dev.fetchbus.verticles.reports.api.ReportsApi;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds an ended job's report, {@code <dataDir>/reports/<id>.ndjson.gz} and {@code .csv.gz}, when it is first
 * asked for ({@link ReportsApi#BUILD}), and keeps it. Building at every job's end cost a running job about a
 * tenth of the CPU (reading all its rows back and rendering them twice) for files most jobs never have fetched.
 * Compressing and writing files blocks, so the plan deploys this as a worker: none of it runs on an event loop. At
 * start it first sweeps the reports dir: unfinished report files, and reports of jobs that no longer exist, go.
 */
public class ReportVerticle extends VerticleBase implements ReportsApi {
  private static final Logger LOG = LoggerFactory.getLogger(ReportVerticle.class);
  private static final int PAGE = 5_000;

  private StoreApi store;
  private Path reports;
  /** Completes when the start-up sweep is over: no build begins before, so the sweep never meets one. */
  private Future<Void> swept;
  /** Builds under way by job id: a second ask for the same report waits for the first build. */
  private final Map<String, Future<Void>> building = new HashMap<>();

  @Override
  public Future<?> start() throws IOException {
    store = StoreApi.client(new Bus(vertx, config().getJsonObject("http").getLong("busTimeoutMs")));
    reports = Path.of(config().getString("dataDir")).toAbsolutePath().resolve("reports");
    Files.createDirectories(reports);
    swept = sweep();
    return Bus.serve(vertx, ReportsApi.bindings(this));
  }

  @Override
  public Future<ReportFiles> build(String jobId) {
    return ensure(jobId).map(built -> files(jobId));
  }

  /** Where the job's report files are, by format: readers never build the names. */
  private ReportFiles files(String jobId) {
    Map<ResultFormat, Path> files = new EnumMap<>(ResultFormat.class);
    for (ResultFormat format : ResultFormat.values()) {
      files.put(format, ReportWriter.file(reports, jobId, format));
    }
    return new ReportFiles(files);
  }

  /**
   * Removes the job's report files (a purge): those present, on a worker thread, once a build under way has ended
   * (else it would rename its files into place after the delete).
   */
  @Override
  public Future<Integer> delete(String jobId) {
    Future<Void> underway = building.getOrDefault(jobId, Future.succeededFuture());
    return underway.otherwiseEmpty().compose(v -> vertx.executeBlocking(() -> {
      int deleted = 0;
      for (ResultFormat format : ResultFormat.values()) {
        if (Files.deleteIfExists(ReportWriter.file(reports, jobId, format))) {
          deleted++;
        }
      }
      return deleted;
    }, false));
  }

  /** The job's report files, once it has ended: kept if built before, else built now. */
  private Future<Void> ensure(String jobId) {
    return store.view(jobId).compose(job -> {
      if (!JobStatus.fromWire(job.getString("status")).finished()) {
        throw FailureCode.CONFLICT.exception("job " + jobId + " has not finished: its report comes when it does");
      }
      if (Arrays.stream(ResultFormat.values()).allMatch(f -> Files.exists(ReportWriter.file(reports, jobId, f)))) {
        return Future.succeededFuture();
      }
      Future<Void> underway = building.get(jobId);
      if (underway == null) {
        underway = swept.compose(v -> buildReport(jobId));
        building.put(jobId, underway);
        // Registered after the put: a build that fails at once must not stay behind as the answer for this job.
        Future<Void> mine = underway;
        underway.onComplete(ar -> building.remove(jobId, mine));
      }
      return underway;
    });
  }

  private Future<Void> sweep() {
    return new DirectorySweep(vertx, reports, ReportVerticle::jobIdOf, ids -> store.known(ids)
        .map(known -> {
          // A job being purged keeps no report: its purge may have run while this verticle was not there to ask.
          Set<String> kept = new HashSet<>(known.existing());
          known.purging().forEach(kept::remove);
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

  private Future<Void> buildReport(String jobId) {
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
    return store.results(new StoreApi.ResultQuery(jobId, afterSeq, PAGE, "all"))
        .compose(rows -> {
          try {
            writer.write(rows);
          } catch (IOException e) {
            return Future.failedFuture(e);
          }
          return rows.size() < PAGE ? Future.succeededFuture()
              : page(writer, jobId, rows.get(rows.size() - 1).seq());
        });
  }
}
