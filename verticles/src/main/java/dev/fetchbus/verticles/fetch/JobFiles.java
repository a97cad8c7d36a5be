package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.files.DirectorySweep;
import dev.fetchbus.verticles.reports.api.ReportsApi;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's files: purging them in the order that survives a crash (mark the job, remove its mirror bodies here and
 * its reports through the reports verticle, delete its rows), and the start-up sweep of the mirror dir. File work
 * runs on worker threads.
 */
final class JobFiles {
  private static final Logger LOG = LoggerFactory.getLogger(JobFiles.class);
  /** Interrupted purges finished per start-up; more wait for the next start or their next purge call. */
  private static final int PURGES_PER_SWEEP = 1_000;

  private final Vertx vertx;
  private final StoreApi store;
  private final ReportsApi reports;
  private final MirrorRoot mirrorRoot;

  JobFiles(Vertx vertx, StoreApi store, ReportsApi reports, MirrorRoot mirrorRoot) {
    this.vertx = vertx;
    this.store = store;
    this.reports = reports;
    this.mirrorRoot = mirrorRoot;
  }

  /**
   * Purges an ended job: marks it (from then on it is gone for readers), removes its files, deletes its rows. If a
   * file cannot be removed the job stays marked and this fails; calling it again, or the next start-up sweep,
   * finishes the purge.
   */
  Future<Void> purge(String id) {
    return store.beginPurge(id).compose(v -> finishPurge(id));
  }

  /** The steps of a purge after the mark: the files, then the rows. */
  private Future<Void> finishPurge(String id) {
    return vertx.executeBlocking(() -> {
          DirectorySweep.removeTree(mirrorRoot.jobDir(id));
          return null;
        }, false)
        .compose(v -> deleteReports(id))
        .recover(err -> {
          LOG.warn("job {}: its files could not all be removed; the job stays marked for purging, and the next purge or"
              + " start finishes it: {}", id, err.toString());
          return Future.failedFuture(FailureCode.INTERNAL.exception("job " + id + ": its files could not all be "
              + "removed (" + err.getMessage() + "); the purge is finished by the next purge or start"));
        })
        .compose(v -> store.purge(id))
        // The job was there when this purge began: if its rows are gone now, a concurrent purge finished the job.
        .recover(err -> err instanceof ReplyException reply && FailureCode.of(reply) == FailureCode.NOT_FOUND
            ? Future.succeededFuture() : Future.failedFuture(err));
  }

  /**
   * The reports verticle removes the report files it owns. A service without one (no {@code reports} in its plan)
   * has none to remove: a reports node that starts later sweeps away the reports of jobs that no longer exist.
   */
  private Future<?> deleteReports(String id) {
    return reports.delete(id)
        .recover(err -> err instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
            ? Future.succeededFuture(0) : Future.failedFuture(err));
  }

  /**
   * At start-up: finishes the purges that were interrupted after their mark, then sweeps the mirror dir of what no
   * job owns (see {@link #sweepMirror}). Logs one summary line.
   */
  Future<Void> sweep(Instant cutoff) {
    return finishInterruptedPurges()
        .compose(purges -> sweepMirror(cutoff).onSuccess(removed -> {
          String summary = "mirror sweep of " + mirrorRoot.dir() + ": finished " + purges + " interrupted purge(s), removed "
              + removed.orphans() + " directory(ies) of jobs that no longer exist and " + removed.temporary()
              + " unfinished file(s)" + removed.failureNote();
          if (removed.failed() > 0) {
            LOG.warn(summary);
          } else {
            LOG.info(summary);
          }
        }))
        .<Void>mapEmpty()
        .onFailure(err -> LOG.warn("mirror sweep of {} did not complete; the next start tries again: {}", mirrorRoot.dir(),
            err.toString()));
  }

  /** Finishes each purge that began and did not end, one after another; a failure is logged and skipped. */
  private Future<Integer> finishInterruptedPurges() {
    return store.purging(PURGES_PER_SWEEP)
        .compose(ids -> {
          Future<Integer> done = Future.succeededFuture(0);
          for (String id : ids) {
            done = done.compose(n -> finishPurge(id).map(v -> n + 1).otherwise(n));
          }
          return done;
        });
  }

  /**
   * Directories of jobs that no longer exist go whole; inside those of ended jobs, the temporary files go (nothing
   * writes there any more). Those of unfinished jobs are left to the job's next run, which holds the job's lease:
   * with several fetch nodes sharing the volume, another node may be writing there now.
   */
  private Future<DirectorySweep.Removed> sweepMirror(Instant cutoff) {
    return new DirectorySweep(vertx, mirrorRoot.dir(), DirectorySweep::canonicalUuid, ids -> store.known(ids)
        .map(known -> {
          Set<String> existing = new HashSet<>(known.existing());
          Set<String> ended = new HashSet<>(existing);
          known.unfinished().forEach(ended::remove);
          return new DirectorySweep.Kept(existing, ended);
        }), cutoff).run();
  }
}
