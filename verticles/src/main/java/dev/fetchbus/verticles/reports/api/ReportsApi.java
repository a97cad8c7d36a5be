package dev.fetchbus.verticles.reports.api;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.Codec;
import dev.fetchbus.verticles.bus.Endpoint;
import dev.fetchbus.verticles.bus.ResultFormat;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The reports verticle's contract: an ended job's results as files, one per {@link ResultFormat}, built from the
 * stored results the first time they are asked for and kept until the job is purged. The reports verticle alone
 * names, writes and deletes them.
 */
public interface ReportsApi {
  /**
   * Makes sure an ended job's report files exist, building them if they do not, and says where they are. Asks for
   * one job share one build. NOT_FOUND, CONFLICT while the job has not ended.
   */
  Endpoint<String, ReportFiles> BUILD = Endpoint.of("fetchbus.reports.build", Codec.JOB_ID,
      Codec.of(ReportFiles::toJson, ReportFiles::fromJson));
  /** Removes a job's report files (a purge), after a build under way; replies how many there were. */
  Endpoint<String, Integer> DELETE = Endpoint.of("fetchbus.reports.delete", Codec.JOB_ID,
      Codec.field("deleted", Integer.class));


  Future<ReportFiles> build(String jobId);

  Future<Integer> delete(String jobId);

  static List<Endpoint.Binding> bindings(ReportsApi reports) {
    return List.of(BUILD.bind(reports::build), DELETE.bind(reports::delete));
  }

  static ReportsApi client(Bus bus) {
    return new ReportsApi() {
      @Override
      public Future<ReportFiles> build(String jobId) {
        return BUILD.ask(bus, jobId);
      }

      @Override
      public Future<Integer> delete(String jobId) {
        return DELETE.ask(bus, jobId);
      }
    };
  }

  /** Where a job's report files are, by format: {"files": {"ndjson": path, "csv": path}}. */
  record ReportFiles(Map<ResultFormat, Path> files) {
    public Path of(ResultFormat format) {
      return files.get(format);
    }

    public JsonObject toJson() {
      JsonObject byFormat = new JsonObject();
      files.forEach((format, path) -> byFormat.put(format.wire(), path.toString()));
      return new JsonObject().put("files", byFormat);
    }

    public static ReportFiles fromJson(JsonObject json) {
      JsonObject byFormat = json.getJsonObject("files");
      Map<ResultFormat, Path> files = new EnumMap<>(ResultFormat.class);
      for (ResultFormat format : ResultFormat.values()) {
        files.put(format, Path.of(byFormat.getString(format.wire())));
      }
      return new ReportFiles(files);
    }
  }
}
