package dev.fetchbus.verticles.http;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.Upload;
import dev.fetchbus.verticles.store.api.StoreApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Streaming uploads: the request body is piped to a file under {@code uploads.dir} (default {@code <dataDir>/uploads/};
 * no BodyHandler, nothing
 * held in memory beyond the chunks in transit), its metadata stored over the event bus once the file is in place.
 */
final class UploadRoutes {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  /**
   * How long the rest of a refused body is read and dropped before the connection is closed. Closing at once, with
   * the client still sending, makes the kernel answer with a reset that can destroy the 413 before it is read.
   */
  private static final long LINGER_MS = 2_000;

  private final Vertx vertx;
  private final Path dir;
  private final StoreApi store;
  private final long maxBytes;
  private final UploadPacer pacer;

  UploadRoutes(Vertx vertx, Path dataDir, Bus bus, JsonObject uploads) {
    this.vertx = vertx;
    String configured = uploads.getString("dir");
    this.dir = (configured == null ? dataDir.resolve("uploads") : Path.of(configured)).toAbsolutePath();
    this.store = StoreApi.client(bus);
    this.maxBytes = uploads.getLong("maxBytes");
    this.pacer = new UploadPacer(uploads.getJsonObject("yield"));
  }

  /** Creates the directory, starts the pacer's clock and, from the first instance only, the sweep ({@link UploadSweep}). */
  Future<Void> start() {
    pacer.start(vertx);
    UploadSweep.startOnce(vertx, store, dir);
    return vertx.fileSystem().mkdirs(dir.toString());
  }

  void stop() {
    pacer.stop(vertx);
  }

  /** What the middleware tells of every request, so uploads know when their loop is busy. */
  UploadPacer pacer() {
    return pacer;
  }

  /** Each route checked against docs/openapi.yaml first (headers and ids only: the body is a stream). */
  void mount(Router router, SpecValidation spec) {
    router.post("/api/uploads").handler(spec.handler("createUpload", SpecValidation.Problems.DEFAULT))
        .handler(this::upload);
    router.get("/api/uploads/:id").handler(spec.handler("getUpload", SpecValidation.Problems.DEFAULT))
        .handler(this::get);
    router.get("/api/uploads/:id/content").handler(spec.handler("getUploadContent", SpecValidation.Problems.DEFAULT))
        .handler(this::content);
    router.delete("/api/uploads/:id").handler(spec.handler("deleteUpload", SpecValidation.Problems.DEFAULT))
        .handler(this::delete);
  }

  static Problem.Refused tooLarge(long maxBytes) {
    return new Problem.Refused(Problem.of(413, "body-too-large", "Request body too large",
        "an upload is at most " + maxBytes + " bytes"));
  }

  /** {@code POST /api/uploads}: the raw body, kept with its Content-Type. 201 once the file and its row exist. */
  private void upload(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    // Until the file is open the body must wait in the request's queue: a chunk delivered with no handler is lost.
    request.pause();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && Long.parseLong(length) > maxBytes) {
      refuse(ctx, tooLarge(maxBytes));
      return;
    }
    String contentType = Objects.requireNonNullElse(request.getHeader(HttpHeaders.CONTENT_TYPE),
        HttpHeaders.APPLICATION_OCTET_STREAM.toString());
    String id = UUID.randomUUID().toString();
    UploadFile.open(vertx, dir, id, maxBytes, pacer)
        .compose(file -> {
          // The server does not answer "Expect: 100-continue" by itself: invite the body only once it has a place.
          if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
            request.response().writeContinue();
          }
          return request.pipeTo(file)
              .compose(v -> file.commit())
              .compose(v -> store.createUpload(new Upload(id, file.bytes(), file.sha256(), contentType)))
              // No row without a complete file, no file without a row: whatever failed, the file goes.
              .recover(err -> file.discard().transform(v -> Future.failedFuture(err)));
        })
        .onSuccess(upload -> ctx.response().setStatusCode(201)
            .putHeader(HttpHeaders.LOCATION, "/api/uploads/" + id)
            .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
            .end(upload.toJson().encode()))
        .onFailure(err -> refuse(ctx, err));
  }

  /**
   * Answers a failed upload with its problem. If the body has not been read to its end, the answer says
   * {@code Connection: close}, the rest of the body is dropped until it ends (or for {@link #LINGER_MS}), and then
   * the connection is closed.
   */
  private void refuse(RoutingContext ctx, Throwable failure) {
    HttpServerRequest request = ctx.request();
    if (ctx.response().closed()) {
      return; // the client went away mid-upload: nobody to answer
    }
    boolean bodyLeft = !request.isEnded();
    if (bodyLeft) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    ctx.fail(failure);
    if (bodyLeft) {
      long linger = vertx.setTimer(LINGER_MS, t -> request.connection().close());
      request.endHandler(v -> {
        vertx.cancelTimer(linger);
        request.connection().close();
      });
      request.resume();
    }
  }

  private void get(RoutingContext ctx) {
    store.upload(uploadId(ctx))
        .onSuccess(upload -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(upload.toJson().encode()))
        .onFailure(ctx::fail);
  }

  /**
   * The file as uploaded, with its Content-Type; sendFile sets the Content-Length. An upload whose file has vanished
   * from the upload dir is 410 Gone, and its row is marked so (it shows {@code missingAt}).
   */
  private void content(RoutingContext ctx) {
    String id = uploadId(ctx);
    store.upload(id)
        .compose(upload -> upload.missingAt() != null ? Future.failedFuture(gone(id))
            : ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, upload.contentType()).sendFile(path(id))
                .recover(err -> vertx.fileSystem().exists(path(id)).compose(exists -> exists ? Future.failedFuture(err)
                    : store.markUploadsMissing(List.of(id))
                        .transform(marked -> Future.failedFuture(gone(id))))))
        .onFailure(ctx::fail);
  }

  private static Problem.Refused gone(String id) {
    return new Problem.Refused(Problem.of(410, "gone", "Gone",
        "the file of upload " + id + " is missing from the server's upload directory: its content is lost"));
  }

  /** Deletes the row first, so the upload disappears at once; then its file. */
  private void delete(RoutingContext ctx) {
    String id = uploadId(ctx);
    store.deleteUpload(id)
        // One call, not exists-then-delete: a file already gone is what we want.
        .compose(row -> vertx.fileSystem().delete(path(id)).recover(err -> err.getCause() instanceof NoSuchFileException
            ? Future.succeededFuture() : Future.failedFuture(err)))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private String path(String id) {
    return dir.resolve(id).toString();
  }

  /** The id in its canonical form; the contract ({@code format: uuid}) has refused anything that is not a UUID. */
  private static String uploadId(RoutingContext ctx) {
    return UUID.fromString(ctx.pathParam("id")).toString();
  }
}
