package dev.fetchbus.verticles.fetch;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * Where mirror jobs keep their bodies: {@code fetch.mirrorDir}, else {@code <dataDir>/mirror}; a job's bodies are
 * {@code <dir>/<jobId>/<seq>}, and its results name each one {@code mirror/<jobId>/<seq>}, whatever the dir. The one
 * place that turns configuration and result paths into files, for the fetcher and for readers of its bodies.
 */
public record MirrorRoot(Path dir) {
  private static final String PREFIX = "mirror/";

  public static MirrorRoot of(JsonObject config) {
    String configured = config.getJsonObject("fetch").getString("mirrorDir");
    return new MirrorRoot((configured == null ? Path.of(config.getString("dataDir")).resolve("mirror")
        : Path.of(configured)).toAbsolutePath().normalize());
  }

  Path jobDir(String jobId) {
    return dir.resolve(jobId);
  }

  /** The path a job's results give its bodies under. */
  static String reportedDir(String jobId) {
    return PREFIX + jobId;
  }

  /** The file of a body a result names ({@code mirror/<jobId>/<seq>}). */
  public Path body(String reportedPath) {
    Path body = reportedPath.startsWith(PREFIX) ? dir.resolve(reportedPath.substring(PREFIX.length())).normalize()
        : null;
    if (body == null || !body.startsWith(dir) || body.equals(dir)) {
      throw new IllegalArgumentException("not a mirror body path: " + reportedPath);
    }
    return body;
  }
}
