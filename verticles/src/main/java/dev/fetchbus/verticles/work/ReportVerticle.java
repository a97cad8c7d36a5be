package dev.fetchbus.verticles.work;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.OutboxPoller;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds each finished job's report, {@code <dataDir>/reports/<id>.ndjson.gz} and {@code .csv.gz}, from the
 * outbox. Compressing and writing files blocks, so the plan deploys this as a worker: none of it runs on an
 * event loop.
 */
public class ReportVerticle extends VerticleBase {
  private static final int PAGE = 5_000;

  private Bus bus;
  private Path reports;

  @Override
  public Future<?> start() throws IOException {
    bus = new Bus(vertx, config().getJsonObject("http").getLong("busTimeoutMs"));
    reports = Path.of(config().getString("dataDir")).toAbsolutePath().resolve("reports");
    Files.createDirectories(reports);
    new OutboxPoller(vertx, bus, "report", config().getJsonObject("outbox"), task -> build(task.getString("jobId")))
        .start();
    return Future.succeededFuture();
  }

  private Future<Void> build(String jobId) {
    ReportWriter writer;
    try {
      writer = new ReportWriter(reports, jobId);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return page(writer, jobId, -1)
        .compose(v -> {
          try {
            writer.commit();
            return Future.<Void>succeededFuture();
          } catch (IOException e) {
            return Future.failedFuture(e);
          }
        })
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
