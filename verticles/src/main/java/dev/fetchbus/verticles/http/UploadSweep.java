package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.files.DirectorySweep;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up sweep of the upload dir, run once per Vert.x instance by whichever HTTP verticle instance starts first:
 * unfinished files and files with no upload row go, and rows whose file has vanished are marked missing. Logs one
 * summary line.
 */
final class UploadSweep {
  private static final Logger LOG = LoggerFactory.getLogger(UploadSweep.class);
  private static final String MAP = "fetchbus.uploads";
  private static final String SWEPT = "swept";

  private final Vertx vertx;
  private final StoreApi store;
  private final Path dir;

  private UploadSweep(Vertx vertx, StoreApi store, Path dir) {
    this.vertx = vertx;
    this.store = store;
    this.dir = dir;
  }

  /**
   * Starts the sweep unless another instance has. Called at the start of every HTTP verticle instance, before it
   * listens: the first call takes the cut-off, so no upload of this process is older than it.
   */
  static void startOnce(Vertx vertx, StoreApi store, Path dir) {
    Instant cutoff = DirectorySweep.cutoffNow();
    if (vertx.sharedData().<String, Boolean>getLocalMap(MAP).putIfAbsent(SWEPT, true) == null) {
      new UploadSweep(vertx, store, dir).run(cutoff);
    }
  }

  private void run(Instant cutoff) {
    new DirectorySweep(vertx, dir, DirectorySweep::canonicalUuid, ids -> store.knownUploads(ids)
        .map(known -> DirectorySweep.Kept.existing(new HashSet<>(known))), cutoff).run()
        .compose(removed -> markMissing(null, 0).onSuccess(marked -> {
          String summary = "upload sweep of " + dir + ": removed " + removed.temporary() + " unfinished file(s) and "
              + removed.orphans() + " file(s) with no upload; marked " + marked + " upload(s) whose file is missing"
              + removed.failureNote();
          if (removed.failed() > 0 || marked > 0) {
            LOG.warn(summary);
          } else {
            LOG.info(summary);
          }
        }))
        .onFailure(err -> LOG.warn("upload sweep of {} did not complete; the next start tries again: {}", dir,
            err.toString()));
  }

  /** Pages through the uploads not marked missing and marks those whose file is gone; returns how many. */
  private Future<Integer> markMissing(String after, int sofar) {
    return store.uploadIds(new StoreApi.UploadPage(after, DirectorySweep.CHUNK))
        .compose(ids -> {
          if (ids.isEmpty()) {
            return Future.succeededFuture(sofar);
          }
          return vertx.executeBlocking(() -> ids.stream().filter(id -> !Files.exists(dir.resolve(id))).toList(), false)
              .compose(missing -> missing.isEmpty() ? Future.succeededFuture(0)
                  : store.markUploadsMissing(missing))
              .compose(marked -> ids.size() < DirectorySweep.CHUNK ? Future.succeededFuture(sofar + marked)
                  : markMissing(ids.get(ids.size() - 1), sofar + marked));
        });
  }
}
