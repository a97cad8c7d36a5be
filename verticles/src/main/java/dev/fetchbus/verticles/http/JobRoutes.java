package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.JobId;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.JobView;
import dev.fetchbus.verticles.bus.ResultFormat;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.reports.api.ReportsApi;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
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
  static final String SUBMIT_JOB = "submitJob";
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  /** The problem types this API names for what the contract refuses in a body or a header. */
  static final SpecValidation.Problems PROBLEMS = (part, field, keyword, detail) -> switch (part) {
    case BODY -> JobRequest.schemaProblem(field, keyword, detail);
    case HEADER -> invalidIdempotencyKey(detail);
    case QUERY, PATH, COOKIE -> null;
  };

  private final Vertx vertx;
  private final StoreApi store;
  private final FetchApi fetch;
  private final ReportsApi reports;
  private final JobSubmission submission;
  private final ProgressFeed progress;
  private final int maxBodyBytes;
  private final SpecValidation spec;

  JobRoutes(Vertx vertx, Bus bus, JobSubmission submission, ProgressFeed progress, int maxBodyBytes,
            SpecValidation spec) {
    this.vertx = vertx;
    this.store = StoreApi.client(bus);
    this.fetch = FetchApi.client(bus);
    this.reports = ReportsApi.client(bus);
    this.submission = submission;
    this.progress = progress;
    this.maxBodyBytes = maxBodyBytes;
    this.spec = spec;
  }

  void mount(Router router) {
    router.post("/api/jobs").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
        .handler(checked(SUBMIT_JOB)).handler(this::submit);
    router.get("/api/jobs").handler(checked("listJobs")).handler(this::list);
    router.get("/api/jobs/:id").handler(checked("getJob")).handler(this::get);
    router.get("/api/jobs/:id/results").handler(checked("getJobResults")).handler(this::results);
    router.get("/api/jobs/:id/summary").handler(checked("getJobSummary")).handler(this::summary);
    router.get("/api/jobs/:id/events").handler(checked("getJobEvents")).handler(this::events);
    router.get("/api/jobs/:id/report").handler(checked("getJobReport")).handler(this::report);
    router.delete("/api/jobs/:id").handler(checked("deleteJob")).handler(this::delete);
  }

  /** Validation by docs/openapi.yaml, answering with this API's problem types. */
  private Handler<RoutingContext> checked(String operationId) {
    return spec.handler(operationId, PROBLEMS);
  }

  /** Cancels an unfinished job; with {@code ?purge=true}, deletes a finished one with its results and files. */
  private void delete(RoutingContext ctx) {
    String id = JobId.canonical(ctx.pathParam("id"));
    if (validated(ctx).getQuery().get("purge").getBoolean(false)) {
      fetch.purge(id)
          .onSuccess(purged -> ctx.response().setStatusCode(204).end())
          .onFailure(ctx::fail);
      return;
    }
    answer(ctx, fetch.cancel(id).map(JobView::toJson));
  }

  /** {@code GET /api/jobs?status=&limit=&after=}: newest first; {@code next} is the cursor for the next page. */
  private void list(RoutingContext ctx) {
    Map<String, RequestParameter> query = validated(ctx).getQuery();
    int limit = query.get("limit").getInteger(50);
    String status = query.get("status").getString();
    StoreApi.JobQuery request = new StoreApi.JobQuery(status == null ? null : JobStatus.fromWire(status),
        query.get("after").getString(), limit);
    answer(ctx, store.list(request).map(jobs -> new JsonObject()
        .put("jobs", new JsonArray(jobs.stream().map(JobView::toJson).toList()))
        .put("next", jobs.size() < limit ? null : jobs.get(jobs.size() - 1).id())));
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
    reports.build(id)
        .onSuccess(built -> {
          Path file = built.of(format);
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
    String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
    submission.parse(validated(ctx).getBody().getJsonObject())
        .compose(spec -> submission.submit(spec, key))
        .onSuccess(created -> {
          String id = created.job().id();
          ctx.response().setStatusCode(created.replayed() ? 200 : 202)
              .putHeader(HttpHeaders.LOCATION, "/api/jobs/" + id)
              .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
              .end(new JsonObject().put("id", id).put("status", created.job().status().wire()).encode());
        })
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    answer(ctx, store.view(JobId.canonical(ctx.pathParam("id"))));
  }

  /** {@code ?hosts=N}: outcome counts, and the N slowest and N most failing hosts of the stored results. */
  private void summary(RoutingContext ctx) {
    answer(ctx, store.summary(new StoreApi.SummaryQuery(JobId.canonical(ctx.pathParam("id")),
        validated(ctx).getQuery().get("hosts").getInteger(10))));
  }

  /** The reply as the JSON body. */
  private static void answer(RoutingContext ctx, Future<JsonObject> reply) {
    reply
        .onSuccess(body -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode()))
        .onFailure(ctx::fail);
  }

  /** {@code ?outcome=ok|error|<outcome>} filters; {@code Accept: text/csv} gives CSV. */
  private void results(RoutingContext ctx) {
    String id = JobId.canonical(ctx.pathParam("id"));
    String outcome = validated(ctx).getQuery().get("outcome").getString("all");
    ResultFormat format = ResultFormat.forAccept(ctx.request().getHeader(HttpHeaders.ACCEPT));
    store.view(id)
        .onSuccess(job -> {
          HttpServerResponse response = ctx.response().setChunked(true)
              .putHeader(HttpHeaders.CONTENT_TYPE, format.contentType);
          if (!format.header.isEmpty()) {
            response.write(format.header);
          }
          streamPage(ctx, response, id, outcome, format, -1);
        })
        .onFailure(ctx::fail);
  }

  /** Writes one keyset page, then asks for the next only when the client has taken the previous one. */
  private void streamPage(RoutingContext ctx, HttpServerResponse response, String id, String outcome,
                          ResultFormat format, int afterSeq) {
    store.results(new StoreApi.ResultQuery(id, afterSeq, RESULT_PAGE, outcome))
        .onSuccess(rows -> {
          if (response.closed()) {
            return;
          }
          Buffer chunk = Buffer.buffer(rows.size() * 160);
          rows.forEach(row -> chunk.appendString(format.line(row.toJson())));
          if (rows.size() < RESULT_PAGE) {
            response.end(chunk);
            return;
          }
          int last = rows.get(rows.size() - 1).seq();
          response.write(chunk);
          if (response.writeQueueFull()) {
            response.drainHandler(v -> streamPage(ctx, response, id, outcome, format, last));
          } else {
            streamPage(ctx, response, id, outcome, format, last);
          }
        })
        .onFailure(ctx::fail);
  }

  private static Problem invalidIdempotencyKey(String detail) {
    return Problem.of(400, "invalid-idempotency-key", "Invalid Idempotency-Key",
        detail + " (an Idempotency-Key is 1 to 255 visible ASCII characters)");
  }
}
