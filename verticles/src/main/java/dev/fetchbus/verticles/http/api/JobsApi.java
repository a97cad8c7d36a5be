package dev.fetchbus.verticles.http.api;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.Codec;
import dev.fetchbus.verticles.bus.Endpoint;
import dev.fetchbus.verticles.bus.JobStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Job submission on the bus, answered by the HTTP verticle with the rules of {@code POST /api/jobs}. */
public interface JobsApi {
  /**
   * Validates a job as {@code POST /api/jobs} does, stores it and hands it to the fetcher. The request is that
   * endpoint's body plus an optional "idempotencyKey". BAD_INPUT for an invalid job (with the text HTTP would put in
   * "detail"), CONFLICT for a key used for another request. The address bridge clients submit on.
   */
  Endpoint<JsonObject, Submitted> SUBMIT = Endpoint.of("fetchbus.jobs.submit", Codec.DOCUMENT,
      Codec.of(Submitted::toJson, Submitted::fromJson)).openToBridge();

  List<Endpoint<?, ?>> ENDPOINTS = List.of(SUBMIT);

  Future<Submitted> submit(JsonObject job);

  static List<Endpoint.Binding> bindings(JobsApi jobs) {
    return List.of(SUBMIT.bind(jobs::submit));
  }

  static JobsApi client(Bus bus) {
    return job -> SUBMIT.ask(bus, job);
  }

  /** The stored job's id and status; {@code replayed}: the idempotency key's earlier job. */
  record Submitted(String id, JobStatus status, boolean replayed) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("status", status.wire()).put("replayed", replayed);
    }

    public static Submitted fromJson(JsonObject json) {
      return new Submitted(json.getString("id"), JobStatus.fromWire(json.getString("status")),
          json.getBoolean("replayed"));
    }
  }
}
