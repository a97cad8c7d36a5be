package dev.fetchbus.verticles.reports;

import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.ResultFormat;
import dev.fetchbus.verticles.files.DurableFile;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a job's results as gzip NDJSON and gzip CSV, to temporary names ({@link DurableFile#temporaryName}, which the
 * start-up sweep recognises) renamed into place when complete.
 */
final class ReportWriter {
  private final Path[] finals;
  private final Path[] temps;
  private final Writer[] writers;
  private final ResultFormat[] formats = {ResultFormat.NDJSON, ResultFormat.CSV};
  private long rows;

  /** The file of a job's report in one format: {@code <jobId>.ndjson.gz} or {@code <jobId>.csv.gz}. */
  static Path file(Path dir, String jobId, ResultFormat format) {
    return dir.resolve(jobId + suffix(format));
  }

  static String suffix(ResultFormat format) {
    return "." + format.wire() + ".gz";
  }

  ReportWriter(Path dir, String jobId) throws IOException {
    finals = new Path[] {file(dir, jobId, ResultFormat.NDJSON), file(dir, jobId, ResultFormat.CSV)};
    temps = new Path[finals.length];
    writers = new Writer[finals.length];
    for (int i = 0; i < finals.length; i++) {
      temps[i] = dir.resolve(DurableFile.temporaryName(finals[i].getFileName().toString()));
      writers[i] = new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(
          Files.newOutputStream(temps[i], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 64 * 1024),
          StandardCharsets.UTF_8), 64 * 1024);
      writers[i].write(formats[i].header);
    }
  }

  void write(List<FetchResult> results) throws IOException {
    this.rows += results.size();
    for (FetchResult result : results) {
      JsonObject row = result.toJson();
      for (int i = 0; i < writers.length; i++) {
        writers[i].write(formats[i].line(row));
      }
    }
  }

  /** Results written so far. */
  long rows() {
    return rows;
  }

  void commit() throws IOException {
    for (int i = 0; i < writers.length; i++) {
      writers[i].close();
      Files.move(temps[i], finals[i], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  void discard() {
    for (int i = 0; i < writers.length; i++) {
      try {
        writers[i].close();
      } catch (IOException ignored) {
        // the file goes anyway
      }
      temps[i].toFile().delete();
    }
  }
}
