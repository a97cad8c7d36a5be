package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonObject;

/**
 * A job's progress, published on its job's progress topic at most every 250 ms while it runs and once
 * with {@code final: true} when it ends. Counts include results fetched but not yet stored.
 */
public record Progress(String id, JobStatus status, int total, int completed, int succeeded, int failed, long bytes,
                       double perSecond, boolean last) {

  /** The progress a stored job shows (no byte count or rate: those exist only while a run is live). */
  public static Progress of(JobView job) {
    return new Progress(job.id(), job.status(), job.total(), job.completed(), job.succeeded(), job.failed(), 0, 0,
        job.status().finished());
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("status", status.wire()).put("total", total)
        .put("completed", completed).put("succeeded", succeeded).put("failed", failed).put("bytes", bytes)
        .put("perSecond", Math.round(perSecond * 10) / 10.0).put("final", last);
  }

  public static Progress fromJson(JsonObject json) {
    return new Progress(json.getString("id"), JobStatus.fromWire(json.getString("status")), json.getInteger("total"),
        json.getInteger("completed"), json.getInteger("succeeded"), json.getInteger("failed"), json.getLong("bytes"),
        json.getDouble("perSecond"), json.getBoolean("final"));
  }
}
