package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.JobId;
import dev.fetchbus.verticles.bus.ResultFormat;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.nio.file.Path;
import java.util.Map;

/** The job API. Handlers validate, then reach the store and the fetcher only over the event bus. */
final class JobRoutes {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final int RESULT_PAGE = 1_000;

  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");

  private final Vertx vertx;
  private final Bus bus;
  private final JobSubmission submission;
  private final ProgressFeed progress;
  private final int maxBodyBytes;
  private final SpecValidation spec;

  JobRoutes(Vertx vertx, Bus bus, JobSubmission submission, ProgressFeed progress, int maxBodyBytes,
            SpecValidation spec) {
    this.vertx = vertx;
    this.bus = bus;
    this.submission = submission;
    this.progress = progress;
    this.maxBodyBytes = maxBodyBytes;
    this.spec = spec;
  }

  void mount(Router router) {
    router.post("/api/jobs").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
        .handler(checked("submitJob")).handler(this::submit);
    router.get("/api/jobs").handler(checked("listJobs")).handler(this::list);
    router.get("/api/jobs/:id").handler(checked("getJob")).handler(this::get);
    router.get("/api/jobs/:id/results").handler(checked("getJobResults")).handler(this::results);
    router.get("/api/jobs/:id/summary").handler(checked("getJobSummary")).handler(this::summary);
    router.get("/api/jobs/:id/events").handler(checked("getJobEvents")).handler(this::events);
    router.get("/api/jobs/:id/report").handler(checked("getJobReport")).handler(this::report);
    router.delete("/api/jobs/:id").handler(checked("deleteJob")).handler(this::delete);
  }

  /** Validation by docs/openapi.yaml, answering with the problem types this API had before it. */
  private Handler<RoutingContext> checked(String operationId) {
    return spec.handler(operationId, (part, field, keyword, detail) -> switch (part) {
      case BODY -> JobRequest.schemaProblem(field, keyword, detail);
      case HEADER -> invalidIdempotencyKey(detail);
      case QUERY, PATH, COOKIE -> null;
    });
  }

  /** Cancels an unfinished job; with {@code ?purge=true}, deletes a finished one with its results and files. */
  private void delete(RoutingContext ctx) {
    JsonObject request = new JsonObject().put("id", JobId.canonical(ctx.pathParam("id")));
    if (validated(ctx).getQuery().get("purge").getBoolean(false)) {
      bus.request(Addresses.FETCH_JOBS_PURGE, request)
          .onSuccess(purged -> ctx.response().setStatusCode(204).end())
          .onFailure(ctx::fail);
      return;
    }
    bus.request(Addresses.FETCH_JOBS_CANCEL, request)
        .onSuccess(job -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(job.encode()))
        .onFailure(ctx::fail);
  }

  /** {@code GET /api/jobs?status=&limit=&after=}: newest first; {@code next} is the cursor for the next page. */
  private void list(RoutingContext ctx) {
    Map<String, RequestParameter> query = validated(ctx).getQuery();
    int limit = query.get("limit").getInteger(50);
    JsonObject request = new JsonObject().put("status", query.get("status").getString()).put("limit", limit)
        .put("after", query.get("after").getString());
    bus.request(Addresses.STORE_JOBS_LIST, request).onSuccess(page -> {
      JsonArray jobs = page.getJsonArray("jobs");
      String next = jobs.size() < limit ? null : jobs.getJsonObject(jobs.size() - 1).getString("id");
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON)
          .end(new JsonObject().put("jobs", jobs).put("next", next).encode());
    }).onFailure(ctx::fail);
  }

  /** The request's values as docs/openapi.yaml types them; an absent one is there, holding null. */
  private static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(SpecValidation.VALIDATED);
  }

  /**
   * The ended job's report, gzip NDJSON (or CSV with {@code Accept: text/csv}). The first download has the reports
   * verticle build it (within the bus timeout; a larger job's answer is 503 report-not-ready while the build goes
   * on); later ones are sent from the kept file.
   */
  private void report(RoutingContext ctx) {
    String id = JobId.canonical(ctx.pathParam("id"));
    ResultFormat format = ResultFormat.forAccept(ctx.request().getHeader(HttpHeaders.ACCEPT));
    bus.request(Addresses.REPORTS_BUILD, new JsonObject().put("id", id))
        .onSuccess(built -> {
          Path file = Path.of(built.getJsonObject("files")
              .getString(format.wire()));
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/gzip")
              .putHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + file.getFileName() + "\"")
              .sendFile(file.toString());
        })
        .onFailure(err -> ctx.fail(err instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT
            ? new Problem.Refused(Problem.of(503, "report-not-ready", "Report not ready",
                "the report of job " + id + " is being built"))
            : err));
  }

  /** Server-sent events: the job's state now, then its progress as published, ending with the final event. */
  private void events(RoutingContext ctx) {
    String id = JobId.canonical(ctx.pathParam("id"));
    progress.current(id).onSuccess(now -> {
      HttpServerResponse response = ctx.response().setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      if (response.closed()) {
        return;
      }
      ProgressFeed.Subscription feed = progress.follow(id, now, new ProgressFeed.Sink() {
        @Override
        public void send(JsonObject data) {
          response.write(event(data));
        }

        @Override
        public void end() {
          response.end();
        }

        @Override
        public void keepAlive() {
          // A comment line: clients ignore it.
          response.write(": keep-alive\n\n");
        }
      });
      // Not response.closeHandler: that would replace the router's own, which runs the request's end handlers.
      ctx.addEndHandler(ar -> feed.close());
    }).onFailure(ctx::fail);
  }

  private static Buffer event(JsonObject data) {
    return Buffer.buffer("event: progress\ndata: " + data.encode() + "\n\n");
  }

  private void submit(RoutingContext ctx) {
    // The spec has checked the Idempotency-Key header and that the body is a JSON object.
    String key = ctx.request().getHeader("Idempotency-Key");
    submission.parse(validated(ctx).getBody().getJsonObject())
        .compose(spec -> submission.submit(spec, key))
        .onSuccess(job -> {
          String id = job.getString("id");
          boolean replayed = job.getBoolean("replayed", false);
          ctx.response().setStatusCode(replayed ? 200 : 202)
              .putHeader(HttpHeaders.LOCATION, "/api/jobs/" + id)
              .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
              .end(new JsonObject().put("id", id).put("status", job.getString("status")).encode());
        })
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    answer(ctx, Addresses.STORE_JOBS_GET, new JsonObject().put("id", JobId.canonical(ctx.pathParam("id"))));
  }

  /** {@code ?hosts=N}: outcome counts, and the N slowest and N most failing hosts of the stored results. */
  private void summary(RoutingContext ctx) {
    answer(ctx, Addresses.STORE_JOBS_SUMMARY, new JsonObject().put("id", JobId.canonical(ctx.pathParam("id")))
        .put("hosts", validated(ctx).getQuery().get("hosts").getInteger(10)));
  }

  /** The store's reply as the JSON body. */
  private void answer(RoutingContext ctx, String address, JsonObject request) {
    bus.request(address, request)
        .onSuccess(reply -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(reply.encode()))
        .onFailure(ctx::fail);
  }

  /** {@code ?outcome=ok|error|<outcome>} filters; {@code Accept: text/csv} gives CSV. */
  private void results(RoutingContext ctx) {
    String id = JobId.canonical(ctx.pathParam("id"));
    String outcome = validated(ctx).getQuery().get("outcome").getString("all");
    ResultFormat format = ResultFormat.forAccept(ctx.request().getHeader(HttpHeaders.ACCEPT));
    bus.request(Addresses.STORE_JOBS_GET, new JsonObject().put("id", id))
        .onSuccess(job -> {
          HttpServerResponse response = ctx.response().setChunked(true)
              .putHeader(HttpHeaders.CONTENT_TYPE, format.contentType);
          if (!format.header.isEmpty()) {
            response.write(format.header);
          }
          streamPage(ctx, response, new JsonObject().put("id", id).put("outcome", outcome), format, -1);
        })
        .onFailure(ctx::fail);
  }

  /** Writes one keyset page, then asks for the next only when the client has taken the previous one. */
  private void streamPage(RoutingContext ctx, HttpServerResponse response, JsonObject query, ResultFormat format,
                          int afterSeq) {
    bus.request(Addresses.STORE_RESULTS_PAGE, query.copy().put("afterSeq", afterSeq).put("limit", RESULT_PAGE))
        .onSuccess(page -> {
          if (response.closed()) {
            return;
          }
          JsonArray rows = page.getJsonArray("results");
          Buffer chunk = Buffer.buffer(rows.size() * 160);
          rows.forEach(row -> chunk.appendString(format.line((JsonObject) row)));
          if (rows.size() < RESULT_PAGE) {
            response.end(chunk);
            return;
          }
          int last = rows.getJsonObject(rows.size() - 1).getInteger("seq");
          response.write(chunk);
          if (response.writeQueueFull()) {
            response.drainHandler(v -> streamPage(ctx, response, query, format, last));
          } else {
            streamPage(ctx, response, query, format, last);
          }
        })
        .onFailure(ctx::fail);
  }

  private static Problem invalidIdempotencyKey(String detail) {
    return Problem.of(400, "invalid-idempotency-key", "Invalid Idempotency-Key",
        detail + " (an Idempotency-Key is 1 to 255 visible ASCII characters)");
  }
}
