package dev.fetchbus.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the HTTP server requests of its own before readiness turns 200, so that the first real load meets
 * compiled code and a grown heap instead of the interpreter: without it, 10,000 connections arriving on a cold
 * server time out by the hundred in the first seconds. The requests take the load-test route with and without a
 * timer, over kept-alive connections and over fresh ones (connection set-up is hot under C10K too). Bounded in
 * count and time, sent to the server's own address, and it never fails the start: a warm-up that goes wrong is
 * logged.
 */
final class HttpWarmup {
  private static final Logger LOG = LoggerFactory.getLogger(HttpWarmup.class);
  /** One request in this many opens a connection of its own. */
  private static final int FRESH_CONNECTION_EVERY = 10;

  private final HttpClient kept;
  private final HttpClient fresh;
  private final String host;
  private final int port;
  // Lanes answer on whichever event loop their connection has: shared counts are atomic.
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private volatile int budget;

  private HttpWarmup(Vertx vertx, String host, int port, int requests, int lanes) {
    this.kept = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(lanes));
    this.fresh = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false), new PoolOptions().setHttp1MaxSize(lanes));
    this.host = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    this.port = port;
    this.budget = requests;
  }

  /** {@code warmup}: {"requests", "connections", "maxMs"}; 0 requests turns it off, as does port 0. */
  static Future<Void> run(Vertx vertx, String host, int port, JsonObject warmup) {
    int requests = warmup.getInteger("requests");
    if (requests == 0 || port == 0) {
      return Future.succeededFuture();
    }
    int lanes = Math.max(1, Math.min(warmup.getInteger("connections"), requests));
    HttpWarmup run = new HttpWarmup(vertx, host, port, requests, lanes);
    long started = System.nanoTime();
    // Past the time limit, every lane finds its budget spent.
    long limit = vertx.setTimer(warmup.getLong("maxMs"), id -> run.budget = 0);
    List<Future<Void>> all = new ArrayList<>();
    for (int lane = 0; lane < lanes; lane++) {
      all.add(run.lane());
    }
    return Future.all(all)
        .onSuccess(v -> LOG.info("HTTP warm-up: {} requests in {} ms", run.answered.get(), (System.nanoTime() - started) / 1_000_000))
        .onFailure(err -> LOG.warn("HTTP warm-up stopped early: {}", err.toString()))
        .<Void>mapEmpty()
        .otherwiseEmpty()
        .eventually(() -> {
          vertx.cancelTimer(limit);
          return Future.join(run.kept.close(), run.fresh.close());
        });
  }

  /** Sends requests one after another while the budget lasts. */
  private Future<Void> lane() {
    int n = sent.getAndIncrement();
    if (n >= budget) {
      return Future.succeededFuture();
    }
    HttpClient client = n % FRESH_CONNECTION_EVERY == 0 ? fresh : kept;
    String uri = n % 2 == 0 ? "/hello/warmup" : "/hello/warmup?delay=1ms";
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port).setURI(uri))
        .compose(request -> request.send())
        .compose(response -> response.body())
        .compose(body -> {
          answered.incrementAndGet();
          return lane();
        });
  }
}
