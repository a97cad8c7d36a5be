package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.Addresses;
import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.FailureCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the URLs of jobs. Runs a job when told to on {@code fetchbus.fetch.jobs.run}, and sweeps the store for
 * unfinished jobs at start and periodically, so jobs left by a stop or a lost message are resumed.
 */
public class FetchVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FetchVerticle.class);

  private final Map<String, JobRun> runs = new HashMap<>();
  private WebClient client;
  private UrlFetcher fetcher;
  private Bus bus;
  private ResultBatcher.BatchLimits limits;
  private boolean stopping;

  @Override
  public Future<?> start() {
    JsonObject fetch = config().getJsonObject("fetch");
    List<Cidr> allow = fetch.getJsonArray("allow").stream().map(c -> Cidr.parse((String) c)).toList();
    LOG.info("fetch allow-list (private/loopback ranges the fetcher may reach): {}", allow.isEmpty() ? "none" : allow);
    client = WebClient.create(vertx,
        new WebClientOptions()
            .setConnectTimeout(fetch.getInteger("connectTimeoutMs"))
            .setUserAgent(fetch.getString("userAgent"))
            .setFollowRedirects(true)
            .setMaxRedirects(fetch.getInteger("maxRedirects")),
        new PoolOptions()
            .setHttp1MaxSize(fetch.getInteger("maxConnectionsPerHost"))
            .setMaxWaitQueueSize(fetch.getInteger("maxWaitQueue")));
    fetcher = new UrlFetcher(client, fetch.getLong("idleTimeoutMs"));
    bus = new Bus(vertx, fetch.getLong("busTimeoutMs"));
    JsonObject batch = fetch.getJsonObject("batch");
    limits = new ResultBatcher.BatchLimits(batch.getInteger("maxRows"), batch.getLong("maxDelayMs"),
        batch.getInteger("maxPending"), batch.getLong("retryDelayMs"));
    long sweepMs = fetch.getLong("sweepIntervalMs");
    return Bus.consume(vertx, Addresses.FETCH_JOBS_RUN, req -> Future.succeededFuture(
            new JsonObject().put("accepted", run(req.getString("id")))))
        .onSuccess(v -> {
          sweep();
          vertx.setPeriodic(sweepMs, id -> sweep());
        });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    return Future.join(runs.values().stream().map(JobRun::stop).toList())
        .onComplete(ar -> client.close());
  }

  private boolean run(String id) {
    if (stopping || id == null || runs.containsKey(id)) {
      return false;
    }
    JobRun run = new JobRun(id, vertx, bus, fetcher, limits);
    runs.put(id, run);
    run.start().onComplete(ar -> {
      runs.remove(id);
      if (ar.failed() && !alreadyFinished(ar.cause())) {
        LOG.warn("job {} did not complete this time; it stays unfinished and is resumed later: {}", id,
            ar.cause().toString());
      }
    });
    return true;
  }

  private static boolean alreadyFinished(Throwable failure) {
    return failure instanceof ReplyException reply && FailureCode.of(reply) == FailureCode.CONFLICT;
  }

  private void sweep() {
    bus.request(Addresses.STORE_JOBS_UNFINISHED, new JsonObject())
        .onSuccess(reply -> reply.getJsonArray("ids").forEach(id -> run((String) id)))
        .onFailure(err -> LOG.warn("looking for unfinished jobs failed: {}", err.toString()));
  }
}
