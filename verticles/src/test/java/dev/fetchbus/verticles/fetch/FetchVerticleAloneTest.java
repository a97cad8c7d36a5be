package dev.fetchbus.verticles.fetch;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.FetchResult;
import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.bus.JobStatus;
import dev.fetchbus.verticles.bus.Outcome;
import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.testing.StrictVertx;
import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fetch verticle alone, through its bus contract: an in-memory store answers it (no PostgreSQL), a loopback
 * origin serves the objects. What the engine must hold by itself, whatever the database: exactly one stored result
 * per URL, with the bytes and the SHA-256 the origin served, and the job ended only when all are stored.
 */
class FetchVerticleAloneTest {
  private static final int URLS = 20_000;

  private Vertx vertx;
  private TestOrigin origin;
  private MemoryStore store;
  private Path dataDir;

  @BeforeEach
  void start() throws IOException {
    vertx = StrictVertx.create();
    origin = await(TestOrigin.start(vertx));
    store = new MemoryStore();
    dataDir = Files.createTempDirectory("fetchbus-fetch-alone-");
  }

  @AfterEach
  void stop() throws IOException {
    StrictVertx.close(vertx, null, dataDir);
  }

  @Test
  void twentyThousandUrlsGetOneResultEachWithTheirBytesAndDigest() throws IOException {
    String id = UUID.randomUUID().toString();
    List<String> urls = IntStream.range(0, URLS).mapToObj(n -> origin.url("/obj/" + n)).toList();
    MemoryStore.Job job = store.add(id, withConcurrency(JobOptions.defaults(), 64), urls);
    // On a context of its own, as the store verticle would be: the fetcher's requests cross the bus.
    await(vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public io.vertx.core.Future<?> start() {
        return store.start(vertx);
      }
    }));
    Promise<JsonObject> finalEvent = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(FetchApi.progress(id).address(), event -> {
      if (event.body().getBoolean("final", false)) {
        finalEvent.tryComplete(event.body());
      }
    });
    await(vertx.deployVerticle(new FetchVerticle(), new DeploymentOptions().setConfig(config())));

    JsonObject accepted = await(vertx.eventBus().<JsonObject>request(FetchApi.RUN.address(),
        new JsonObject().put("id", id))).body();
    assertThat(accepted.getBoolean("accepted")).isTrue();
    JsonObject last = await(finalEvent.future(), Duration.ofSeconds(120));

    assertThat(last.getString("status")).isEqualTo("done");
    assertThat(last.getInteger("completed")).isEqualTo(URLS);
    assertThat(job.status).isEqualTo(JobStatus.DONE);
    assertThat(job.results).hasSize(URLS);
    assertThat(job.sent.values()).as("results sent per URL").allMatch(times -> times == 1);
    assertThat(job.chunks).as("every chunk leased once and marked done before the job")
        .hasSize(URLS / MemoryStore.CHUNK).allSatisfy((chunk, done) -> assertThat(done).isTrue());
    for (int seq = 0; seq < URLS; seq++) {
      FetchResult result = job.results.get(seq);
      byte[] object = TestOrigin.object(seq);
      assertThat(result.outcome()).as("seq %d", seq).isEqualTo(Outcome.OK);
      assertThat(result.httpStatus()).isEqualTo(200);
      assertThat(result.bytes()).as("seq %d", seq).isEqualTo(object.length);
      assertThat(result.sha256()).as("seq %d", seq).isEqualTo(TestOrigin.sha256(object));
    }
  }

  private JsonObject config() throws IOException {
    JsonObject all = new JsonObject(Files.readString(Path.of("../conf/config.json")));
    // Only the sections the deployment plan gives the fetch verticle, with the origin's range allowed.
    all.getJsonObject("fetch").put("allow", new JsonArray().add("127.0.0.0/8"));
    return new JsonObject().put("dataDir", dataDir.toString()).put("fetch", all.getJsonObject("fetch"))
        .put("outbox", all.getJsonObject("outbox"));
  }

  private static JobOptions withConcurrency(JobOptions defaults, int concurrency) {
    JsonObject options = defaults.toJson().put("concurrency", concurrency).put("perHost", concurrency);
    return JobOptions.fromJson(options);
  }
}
