package dev.fetchbus.verticles.http;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.FreePort;
import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /ws/echo} on the real HttpVerticle (the repository's default config, a 1 s idle timeout) over loopback. */
class WebSocketEchoTest {
  private static final int MAX_FRAME = 65_536;
  private static final int MAX_MESSAGE = 262_144;
  private static final long IDLE_MS = 1_000;

  private static Vertx vertx;
  private static WebSocketClient client;
  private static int port;

  @BeforeAll
  static void start() throws IOException {
    vertx = StrictVertx.create();
    port = FreePort.next();
    await(vertx.deployVerticle(new HttpVerticle(), new DeploymentOptions().setConfig(config(port))));
    // The client may send (and take) frames far larger than the server allows.
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(4 * MAX_MESSAGE)
        .setMaxMessageSize(4 * MAX_MESSAGE));
  }

  /** The repository's default config, on a given port, with this test's WebSocket limits. */
  private static JsonObject config(int port) throws IOException {
    JsonObject config = new JsonObject(Files.readString(Path.of("../conf/config.json")));
    config.put("dataDir", Files.createTempDirectory("fetchbus-ws-").toString());
    JsonObject http = config.getJsonObject("http").put("port", port);
    http.getJsonObject("webSocket").put("maxFrameBytes", MAX_FRAME).put("maxMessageBytes", MAX_MESSAGE)
        .put("idleTimeoutSeconds", IDLE_MS / 1_000);
    return config;
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  private static WebSocket connect() {
    return await(client.connect(port, "127.0.0.1", "/ws/echo"));
  }

  @Test
  void anOpenSocketIsNotAnHttpRequestInFlight() {
    WebSocket ws = connect();
    Promise<String> echo = Promise.promise();
    ws.textMessageHandler(echo::tryComplete);
    ws.writeTextMessage("open");
    assertThat(await(echo.future())).isEqualTo("open");
    // The upgrade ended the request for the tracker; without that, every socket ever opened stayed counted.
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(5), 10,
        () -> Future.succeededFuture(RequestTracker.inFlight(vertx) == 0)));
    await(ws.close());
  }

  @Test
  void echoesTextAsText() {
    WebSocket ws = connect();
    Promise<String> echo = Promise.promise();
    ws.textMessageHandler(echo::tryComplete);
    ws.binaryMessageHandler(b -> echo.tryFail("binary answer to a text message"));
    ws.writeTextMessage("héllo, wörld");
    assertThat(await(echo.future())).isEqualTo("héllo, wörld");
    await(ws.close());
  }

  @Test
  void echoesBinaryAsBinary() {
    WebSocket ws = connect();
    byte[] bytes = new byte[40_000];
    new Random(7).nextBytes(bytes);
    Promise<Buffer> echo = Promise.promise();
    ws.binaryMessageHandler(echo::tryComplete);
    ws.textMessageHandler(t -> echo.tryFail("text answer to a binary message"));
    ws.writeBinaryMessage(Buffer.buffer(bytes));
    assertThat(await(echo.future()).getBytes()).isEqualTo(bytes);
    await(ws.close());
  }

  @Test
  void answersAPingWithAPongCarryingItsPayload() {
    WebSocket ws = connect();
    Promise<Buffer> pong = Promise.promise();
    ws.pongHandler(pong::tryComplete);
    ws.writePing(Buffer.buffer("are you there"));
    assertThat(await(pong.future()).toString()).isEqualTo("are you there");
    await(ws.close());
  }

  @Test
  void aFrameOverTheLimitClosesWith1009() {
    WebSocket ws = connect();
    Future<Short> closed = closeCode(ws);
    ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[MAX_FRAME + 1]), true));
    assertThat(await(closed, Duration.ofSeconds(10))).isEqualTo((short) 1009);
  }

  /**
   * Far past the frame limit the client is still sending when the server answers: it must still get the 1009 close
   * frame rather than a reset, and the TCP connection must end within the closing timeout (1 s) after it.
   */
  @ParameterizedTest
  @ValueSource(ints = {1 << 20, 8 << 20})
  void aHugeFrameClosesWith1009(int bytes) {
    WebSocket ws = connect();
    Future<Short> closed = closeCode(ws);
    long started = System.nanoTime();
    ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[bytes]), true));
    assertThat(await(closed, Duration.ofSeconds(10))).isEqualTo((short) 1009);
    assertThat(ws.closeReason()).isEqualTo("Message too big");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void aMessageOverTheLimitClosesWith1009() {
    WebSocket ws = connect();
    Future<Short> closed = closeCode(ws);
    // Five frames within the frame limit, one message over the message limit.
    int frames = MAX_MESSAGE / MAX_FRAME + 1;
    for (int i = 0; i < frames; i++) {
      Buffer part = Buffer.buffer(new byte[MAX_FRAME]);
      ws.writeFrame(i == 0 ? WebSocketFrame.binaryFrame(part, false)
          : WebSocketFrame.continuationFrame(part, i == frames - 1));
    }
    assertThat(await(closed, Duration.ofSeconds(10))).isEqualTo((short) 1009);
  }

  @Test
  void anIdleConnectionIsClosedWith1001() {
    WebSocket ws = connect();
    long started = System.nanoTime();
    Future<Short> closed = closeCode(ws);
    assertThat(await(closed, Duration.ofSeconds(10))).isEqualTo((short) 1001);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(IDLE_MS - 50));
    assertThat(ws.closeReason()).isEqualTo("idle timeout");
  }

  @Test
  void everyFrameStartsTheIdleTimeAgain() {
    WebSocket ws = connect();
    Future<Short> closed = closeCode(ws);
    List<String> echoes = new ArrayList<>();
    ws.textMessageHandler(echoes::add);
    // Six messages 300 ms apart: 1.8 s of traffic, never 1 s of silence.
    Future<Void> talk = Future.succeededFuture();
    for (int i = 0; i < 6; i++) {
      String text = "tick " + i;
      talk = talk.compose(v -> vertx.timer(300)).compose(v -> ws.writeTextMessage(text));
    }
    await(talk);
    assertThat(closed.isComplete()).as("closed while talking").isFalse();
    assertThat(await(closed, Duration.ofSeconds(10))).isEqualTo((short) 1001);
    assertThat(echoes).containsExactly("tick 0", "tick 1", "tick 2", "tick 3", "tick 4", "tick 5");
  }

  @Test
  void aRequestWithoutUpgradeIsABadRequestProblem() {
    HttpClient http = vertx.createHttpClient();
    // The body is read once, in the same pass as the head: a second body() after the end is not guaranteed to replay it.
    JsonObject answer = await(http.request(HttpMethod.GET, port, "127.0.0.1", "/ws/echo")
        .compose(request -> request.send())
        .compose(r -> r.body().map(body -> new JsonObject()
            .put("status", r.statusCode())
            .put("contentType", r.getHeader("content-type"))
            .put("body", body.toString()))));
    assertThat(answer.getInteger("status")).isEqualTo(400);
    assertThat(answer.getString("contentType")).isEqualTo("application/problem+json");
    assertThat(new JsonObject(answer.getString("body")).getString("type"))
        .isEqualTo("urn:fetchbus:problem:websocket-required");
    await(http.close());
  }

  @Test
  void stoppingTheServerClosesOpenSocketsWith1001() throws IOException {
    int otherPort = FreePort.next();
    String id = await(vertx.deployVerticle(new HttpVerticle(), new DeploymentOptions().setConfig(config(otherPort))));
    WebSocket ws = await(client.connect(otherPort, "127.0.0.1", "/ws/echo"));
    Future<Short> closed = closeCode(ws);
    long started = System.nanoTime();
    await(vertx.undeploy(id));
    assertThat(await(closed)).isEqualTo((short) 1001);
    assertThat(ws.closeReason()).isEqualTo("server stopping");
    // Closed by the shutdown, not left to the idle timeout (1 s) or the drain time (10 s).
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(900));
  }

  private static Future<Short> closeCode(WebSocket ws) {
    Promise<Short> code = Promise.promise();
    ws.closeHandler(v -> code.tryComplete(ws.closeStatusCode()));
    return code.future();
  }
}
