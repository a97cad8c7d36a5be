package dev.fetchbus.verticles.http;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The first step of every request, on a real server: in-flight count, the request timer by route template, and in
 * debug mode the slow-request log.
 */
class RequestTrackerTest {
  private Vertx vertx;
  private HttpServer server;
  private HttpClientAgent client;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(RequestTracker.class);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    logs.start();
    logger.addAppender(logs);
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    logger.detachAppender(logs);
    await(vertx.close());
  }

  private void serve(JsonObject debug) {
    Router router = Router.router(vertx);
    RequestTracker tracker = RequestTracker.create(vertx, debug, registry, null);
    router.route().handler(ctx -> {
      tracker.track(ctx, ctx.request().path());
      ctx.next();
    });
    router.get("/fast").handler(ctx -> ctx.response().end("fast"));
    router.get("/slow/:n").handler(ctx -> vertx.setTimer(150, t -> ctx.response().end("slow")));
    router.get("/never").handler(ctx -> { });
    router.get("/refused/:n").handler(ctx -> ctx.fail(400));
    ProblemResponses.mount(router);
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  private String get(String path) {
    return send(HttpMethod.GET, server.actualPort(), path);
  }

  private String send(HttpMethod method, int port, String path) {
    return await(client.request(method, port, "127.0.0.1", path)
        .compose(request -> request.send().compose(HttpClientResponse::body))).toString();
  }

  private List<String> warnings() {
    return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void inDebugModeASlowRequestIsLoggedWithItsRouteTemplate() {
    serve(new JsonObject().put("enabled", true).put("slowHandlerMs", 100));
    assertThat(get("/fast")).isEqualTo("fast");
    assertThat(get("/slow/7")).isEqualTo("slow");
    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w)
        .startsWith("slow request: GET /slow/:n took ").contains("debug.slowHandlerMs 100"));
  }

  private long served(String method, String code, String route) {
    FunctionTimer timer = registry.find("fetchbus.http.server.requests").tag("method", method).tag("code", code)
        .tag("route", route).functionTimer();
    return timer == null ? 0 : (long) timer.count();
  }

  @Test
  void eachRequestIsTimedByMethodCodeAndRouteTemplateNeverByPath() {
    serve(new JsonObject().put("enabled", false).put("slowHandlerMs", 100));
    assertThat(get("/slow/7")).isEqualTo("slow");
    assertThat(get("/slow/8")).isEqualTo("slow");
    assertThat(get("/fast")).isEqualTo("fast");
    get("/nothing-here");
    assertThat(served("GET", "200", "/slow/:n")).isEqualTo(2);
    assertThat(served("GET", "200", "/fast")).isEqualTo(1);
    assertThat(served("GET", "404", "none")).isEqualTo(1);
    assertThat(registry.get("fetchbus.http.server.requests").tag("route", "/slow/:n").functionTimer().totalTime(TimeUnit.MILLISECONDS))
        .isGreaterThanOrEqualTo(150);
    assertThat(registry.getMeters()).noneMatch(meter -> meter.getId().getTags().stream()
        .anyMatch(tag -> tag.getValue().contains("/slow/7") || tag.getValue().contains("nothing")));
  }

  @Test
  void twoHttpVerticleInstancesCountIntoOneSeriesAndExtensionMethodsFoldIntoOther() {
    JsonObject debug = new JsonObject().put("enabled", false).put("slowHandlerMs", 100);
    serve(debug);
    int first = server.actualPort();
    serve(debug);
    int second = server.actualPort();
    assertThat(send(HttpMethod.GET, first, "/fast")).isEqualTo("fast");
    assertThat(send(HttpMethod.GET, second, "/fast")).isEqualTo("fast");
    send(HttpMethod.valueOf("FETCHBUS1"), first, "/fast");
    send(HttpMethod.valueOf("FETCHBUS2"), second, "/fast");
    assertThat(served("GET", "200", "/fast")).isEqualTo(2);
    assertThat(served("OTHER", "405", "none")).isEqualTo(2);
    assertThat(registry.getMeters()).noneMatch(meter -> meter.getId().getTags().stream()
        .anyMatch(tag -> tag.getValue().startsWith("FETCHBUS")));
  }

  @Test
  void aFailedRequestIsCountedUnderItsOwnRoute() {
    serve(new JsonObject().put("enabled", false).put("slowHandlerMs", 100));
    assertThat(get("/refused/1")).contains("bad-request");
    assertThat(served("GET", "400", "/refused/:n")).isEqualTo(1);
  }

  @Test
  void withoutDebugNothingIsLogged() {
    serve(new JsonObject().put("enabled", false).put("slowHandlerMs", 100));
    assertThat(get("/slow/7")).isEqualTo("slow");
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aRequestCountsAsInFlightUntilItsResponseEndsOrItsConnectionCloses() {
    serve(new JsonObject().put("enabled", false).put("slowHandlerMs", 100));
    Future<String> slow = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/slow/1")
        .compose(request -> request.send().compose(HttpClientResponse::body)).map(Buffer::toString);
    NetSocket hanging = await(vertx.createNetClient().connect(server.actualPort(), "127.0.0.1"));
    await(hanging.write("GET /never HTTP/1.1\r\nHost: test\r\n\r\n"));
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(5), 10,
        () -> Future.succeededFuture(RequestTracker.inFlight(vertx) == 2)));

    assertThat(await(slow)).isEqualTo("slow");
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(5), 10,
        () -> Future.succeededFuture(RequestTracker.inFlight(vertx) == 1)));
    assertThat(registry.get("fetchbus.http.server.active.requests").gauge().value()).isEqualTo(1);
    await(hanging.close());
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(5), 10,
        () -> Future.succeededFuture(RequestTracker.inFlight(vertx) == 0)));
    assertThat(served("GET", "closed", "/never")).isEqualTo(1);
  }
}
