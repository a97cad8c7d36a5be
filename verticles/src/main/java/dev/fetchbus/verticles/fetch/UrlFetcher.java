package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.bus.UrlRef;
import io.vertx.core.Future;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;

/** Fetches one URL with a pooled {@link WebClient}, streaming the body through a digest: nothing is buffered. */
final class UrlFetcher {
  private final WebClient client;
  private final long idleTimeoutMs;

  UrlFetcher(WebClient client, long idleTimeoutMs) {
    this.client = client;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  Future<FetchResult> fetch(UrlRef url) {
    long started = System.nanoTime();
    DigestSink body = new DigestSink();
    HttpRequest<Void> request;
    try {
      request = client.getAbs(url.url()).timeout(idleTimeoutMs).as(BodyCodec.pipe(body));
    } catch (RuntimeException invalid) {
      return Future.succeededFuture(failed(url, Outcome.INVALID_URL, started));
    }
    return request.send()
        .map(response -> new FetchResult(url.seq(), null, OutcomeClassifier.ofStatus(response.statusCode()),
            response.statusCode(), body.bytes(), body.hex(), elapsedMs(started), 1))
        .otherwise(failure -> failed(url, OutcomeClassifier.ofFailure(failure), started));
  }

  private static FetchResult failed(UrlRef url, Outcome outcome, long started) {
    return new FetchResult(url.seq(), null, outcome, null, 0, null, elapsedMs(started), 1);
  }

  private static long elapsedMs(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
