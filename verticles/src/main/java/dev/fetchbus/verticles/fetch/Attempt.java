package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.files.BodyDigest;
import dev.fetchbus.verticles.files.DurableFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One attempt at one URL: resolve, check the address, connect to exactly that address, follow redirects (each hop
 * checked again), stream the body through SHA-256 (and to a mirror file), enforcing the connect, first-byte,
 * idle and total timeouts and the body cap. Ends exactly once, with an {@link Result}; {@link #abort} ends it now.
 * A mirrored body is {@code ok} only once its file is durable; a file that cannot be written ends the attempt as
 * {@code storage_error}, its file removed.
 */
final class Attempt {
  record Result(Outcome outcome, Integer status, long bytes, String sha256, boolean decoded, String path,
                String retryAfter) {
    static Result of(Outcome outcome, Integer status) {
      return new Result(outcome, status, 0, null, false, null, null);
    }
  }

  private static final java.util.Set<String> CREDENTIALS = java.util.Set.of("authorization", "cookie");

  private final FetchContext context;
  private final JobOptions options;
  private final MirrorTarget mirror;
  private final Promise<Result> done = Promise.promise();
  private final long started = System.nanoTime();
  private long totalTimer = -1;
  private long phaseTimer = -1;
  private long phaseTimerAt;
  private long phaseDeadline;
  private Outcome phaseOutcome;
  private HttpClientRequest request;
  private Integer status;
  private EmbeddedChannel decoder;
  private DurableFile file;
  private boolean finished;
  /** {@code scheme://host:port} of the first hop: credentials of the job's headers go only there. */
  private String origin;

  private Attempt(FetchContext context, JobOptions options, MirrorTarget mirror) {
    this.context = context;
    this.options = options;
    this.mirror = mirror;
  }

  /** Starts an attempt; {@code mirror} is null unless the body is to be kept. */
  static Attempt start(FetchContext context, JobOptions options, String url, MirrorTarget mirror) {
    Attempt attempt = new Attempt(context, options, mirror);
    attempt.hop(url, options.redirects());
    return attempt;
  }

  Future<Result> result() {
    return done.future();
  }

  void abort() {
    fail(Outcome.CANCELLED);
  }

  private void hop(String url, int redirectsLeft) {
    status = null;
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      fail(Outcome.INVALID_URL);
      return;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (!(scheme.equals("http") || scheme.equals("https")) || host == null || host.isEmpty()) {
      fail(Outcome.INVALID_URL);
      return;
    }
    boolean ssl = scheme.equals("https");
    int port = uri.getPort() < 0 ? (ssl ? 443 : 80) : uri.getPort();
    String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    Future<InetAddress> address = context.resolver().resolve(bareHost);
    if (!address.isComplete()) {
      armTotal();
    }
    address.onComplete(resolved -> {
      if (finished) {
        return;
      }
      if (resolved.failed()) {
        fail(Outcome.DNS_ERROR);
      } else if (!context.guard().permits(resolved.result())) {
        fail(Outcome.REFUSED_ADDRESS);
      } else {
        send(uri, resolved.result(), host, port, ssl, redirectsLeft);
      }
    });
  }

  private void send(URI uri, InetAddress address, String host, int port, boolean ssl, int redirectsLeft) {
    armTotal();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
        .setHost(host)
        .setPort(port)
        .setSsl(ssl)
        .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
        .setFollowRedirects(false)
        .setConnectTimeout(options.connectMs())
        .putHeader(HttpHeaders.USER_AGENT, context.userAgent());
    String here = (ssl ? "https://" : "http://") + host + ":" + port;
    if (origin == null) {
      origin = here;
    }
    boolean sameOrigin = origin.equals(here);
    options.headers().forEach((name, value) -> {
      // As browsers and curl do: a redirect elsewhere does not carry the job's credentials along.
      if (sameOrigin || !CREDENTIALS.contains(name.toLowerCase(Locale.ROOT))) {
        request.putHeader(name, value);
      }
    });
    if (options.decode()) {
      request.putHeader(HttpHeaders.ACCEPT_ENCODING, "gzip, deflate");
    }
    context.client().request(request).onComplete(connected -> {
      if (connected.failed()) {
        fail(OutcomeClassifier.ofFailure(connected.cause()));
        return;
      }
      if (finished) {
        connected.result().reset();
        return;
      }
      this.request = connected.result();
      arm(options.responseMs(), Outcome.TIMEOUT_RESPONSE);
      this.request.send().onComplete(answered -> {
        if (finished) {
          return;
        }
        if (answered.failed()) {
          fail(OutcomeClassifier.ofFailure(answered.cause()));
        } else {
          receive(uri, answered.result(), redirectsLeft);
        }
      });
    });
  }

  private void receive(URI uri, HttpClientResponse response, int redirectsLeft) {
    int status = response.statusCode();
    this.status = status;
    String location = response.getHeader(HttpHeaders.LOCATION);
    response.exceptionHandler(err -> fail(Outcome.CONNECTION_ERROR));
    arm(options.idleMs(), Outcome.TIMEOUT_IDLE);
    if (options.redirects() > 0 && location != null && (status == 301 || status == 302 || status == 303
        || status == 307 || status == 308)) {
      if (redirectsLeft == 0) {
        fail(Outcome.TOO_MANY_REDIRECTS);
        return;
      }
      URI next;
      try {
        next = uri.resolve(location.trim());
      } catch (IllegalArgumentException e) {
        fail(Outcome.INVALID_URL);
        return;
      }
      long[] discarded = {0};
      response.handler(chunk -> {
        arm(options.idleMs(), Outcome.TIMEOUT_IDLE);
        discarded[0] += chunk.length();
        if (discarded[0] > options.maxBodyBytes()) {
          fail(Outcome.TOO_LARGE);
        }
      });
      response.endHandler(v -> {
        if (!finished) {
          cancelPhaseTimer(); // the next hop's lookup is not this response's idle time
          hop(next.toString(), redirectsLeft - 1);
        }
      });
      return;
    }
    String encoding = response.getHeader(HttpHeaders.CONTENT_ENCODING);
    boolean decoding = options.decode() && encoding != null
        && (encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("deflate"));
    if (decoding) {
      decoder = new EmbeddedChannel(ZlibCodecFactory.newZlibDecoder(
          encoding.equalsIgnoreCase("gzip") ? ZlibWrapper.GZIP : ZlibWrapper.ZLIB_OR_NONE));
    }
    boolean keep = mirror != null && status >= 200 && status < 300;
    Body body = new Body();
    if (keep) {
      response.pause();
      DurableFile.open(context.vertx(), mirror.dir(), mirror.name()).onComplete(opened -> {
        if (opened.failed()) {
          storageFailed(opened.cause());
          return;
        }
        file = opened.result().failures(this::storageFailed);
        if (finished) {
          file.discard();
        } else {
          response.resume();
        }
      });
    }
    response.handler(chunk -> {
      if (finished) {
        return;
      }
      arm(options.idleMs(), Outcome.TIMEOUT_IDLE);
      if (decoder == null) {
        body.take(chunk, response);
        return;
      }
      try {
        decoder.writeInbound(Unpooled.wrappedBuffer(chunk.getBytes()));
        drainDecoder(body, response);
      } catch (RuntimeException corrupt) {
        fail(Outcome.CONNECTION_ERROR);
      }
    });
    response.endHandler(v -> {
      if (finished) {
        return;
      }
      finished = true;
      cancelTimers();
      Future<String> kept = keep ? file.commit().map(mirror.relative()) : Future.succeededFuture();
      kept.onComplete(committed -> {
        if (committed.succeeded()) {
          settle(new Result(OutcomeClassifier.ofStatus(status), status, body.digest.bytes(), body.digest.hex(),
              decoding, committed.result(), response.getHeader(HttpHeaders.RETRY_AFTER)));
        } else {
          context.storageFailures().handle(committed.cause());
          file.discard().onComplete(discarded -> settle(Result.of(Outcome.STORAGE_ERROR, status)));
        }
      });
    });
  }

  private void drainDecoder(Body body, HttpClientResponse response) {
    for (ByteBuf out = decoder.readInbound(); out != null && !finished; out = decoder.readInbound()) {
      try {
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        body.take(Buffer.buffer(bytes), response);
      } finally {
        out.release();
      }
    }
  }

  /** Counts, digests and (for mirrors) writes the body as it streams; stops at the cap. */
  private final class Body {
    private final BodyDigest digest = new BodyDigest();

    void take(Buffer chunk, HttpClientResponse response) {
      if (digest.bytes() + chunk.length() > options.maxBodyBytes()) {
        fail(Outcome.TOO_LARGE);
        return;
      }
      digest.update(chunk);
      if (file != null) {
        // A failed write reaches storageFailed through the file's failure handler.
        file.write(chunk);
        if (file.writeQueueFull()) {
          response.pause();
          file.drainHandler(v -> response.resume());
        }
      }
    }
  }

  /** The mirror file could not be created or written: this URL fails, and the job hears why. */
  private void storageFailed(Throwable cause) {
    if (!finished) {
      context.storageFailures().handle(cause);
      fail(Outcome.STORAGE_ERROR);
    }
  }

  /**
   * The attempt's total timeout, counted from its start, armed only once it has to wait for something: an attempt
   * refused before any I/O (a cached lookup, a refused address) costs no timer.
   */
  private void armTotal() {
    if (totalTimer < 0 && !finished) {
      long leftMs = options.totalMs() - (System.nanoTime() - started) / 1_000_000;
      totalTimer = context.vertx().setTimer(Math.max(1, leftMs), id -> fail(Outcome.TIMEOUT_TOTAL));
    }
  }

  /**
   * Starts (or, per body chunk, extends) the current phase's timeout. Extending only moves a deadline: the timer,
   * when it fires early, sleeps again for what is left, so a busy body costs no timer churn.
   */
  private void arm(long ms, Outcome outcome) {
    phaseDeadline = System.nanoTime() + ms * 1_000_000;
    phaseOutcome = outcome;
    if (phaseTimer >= 0 && phaseTimerAt > phaseDeadline) {
      context.vertx().cancelTimer(phaseTimer);
      phaseTimer = -1;
    }
    if (phaseTimer < 0) {
      schedulePhaseTimer(ms);
    }
  }

  private void schedulePhaseTimer(long ms) {
    phaseTimerAt = System.nanoTime() + ms * 1_000_000;
    phaseTimer = context.vertx().setTimer(Math.max(1, ms), id -> {
      phaseTimer = -1;
      long leftMs = (phaseDeadline - System.nanoTime()) / 1_000_000;
      if (leftMs <= 0) {
        fail(phaseOutcome);
      } else if (!finished) {
        schedulePhaseTimer(leftMs);
      }
    });
  }

  private void cancelPhaseTimer() {
    if (phaseTimer >= 0) {
      context.vertx().cancelTimer(phaseTimer);
      phaseTimer = -1;
    }
  }

  private void cancelTimers() {
    if (totalTimer >= 0) {
      context.vertx().cancelTimer(totalTimer);
    }
    cancelPhaseTimer();
  }

  /** Ends the attempt now: the request is reset, a partial mirror file removed before the result is given. */
  private void fail(Outcome outcome) {
    if (finished) {
      return;
    }
    finished = true;
    cancelTimers();
    if (request != null) {
      request.reset();
    }
    Future<Void> cleaned = file == null ? Future.succeededFuture() : file.discard();
    cleaned.onComplete(v -> settle(Result.of(outcome, status)));
  }

  private void settle(Result result) {
    if (decoder != null) {
      decoder.finishAndReleaseAll();
    }
    done.complete(result);
  }
}
