package dev.fetchbus.verticles.tcp;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The TCP line echo over loopback, deployed on its own with port 0 and a 1 s idle timeout. */
class TcpEchoTest {
  private static final int MAX_LINE = 8192;
  private static Vertx vertx;
  private static NetClient client;
  private static int port;

  @BeforeAll
  static void start() {
    vertx = StrictVertx.create();
    port = deploy(1);
    client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
  }

  /** Deploys an echo server and returns its port. */
  private static int deploy(int idleTimeoutSeconds) {
    return deployed(idleTimeoutSeconds).actualPort();
  }

  private static TcpEchoVerticle deployed(int idleTimeoutSeconds) {
    JsonObject config = new JsonObject().put("tcp", new JsonObject().put("host", "127.0.0.1").put("port", 0)
        .put("maxLineBytes", MAX_LINE).put("idleTimeoutSeconds", idleTimeoutSeconds).put("acceptBacklog", 4096)
        .put("drainMs", 1000));
    TcpEchoVerticle echo = new TcpEchoVerticle();
    await(vertx.deployVerticle(echo, new DeploymentOptions().setConfig(config)));
    return echo;
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  /** A connection that collects what it receives and notes when it closes. */
  private static final class Conversation {
    final NetSocket socket;
    final Buffer received = Buffer.buffer();
    final Promise<Void> closed = Promise.promise();

    Conversation(NetSocket socket) {
      this.socket = socket;
      socket.handler(chunk -> {
        synchronized (received) {
          received.appendBuffer(chunk);
        }
      });
      socket.closeHandler(v -> closed.tryComplete());
    }

    String text() {
      synchronized (received) {
        return received.toString();
      }
    }

    /** Completes once at least {@code bytes} have arrived. */
    Future<String> receive(int bytes) {
      return StrictVertx.eventually(vertx, Duration.ofSeconds(10), 10,
          () -> Future.succeededFuture(text().length() >= bytes)).map(v -> text());
    }
  }

  private static Conversation connect() {
    return new Conversation(await(client.connect(port, "127.0.0.1")));
  }

  @Test
  void echoesLinesSplitAcrossPacketsAndSeveralInOnePacket() {
    Conversation c = connect();
    // Separate writes with pauses between them arrive as separate segments (no Nagle on loopback writes).
    Future<Void> sent = c.socket.write("hel")
        .compose(v -> timer(50)).compose(v -> c.socket.write("lo\nwor"))
        .compose(v -> timer(50)).compose(v -> c.socket.write("ld\r\n"))
        .compose(v -> timer(50)).compose(v -> c.socket.write("one\ntwo\nthree\n"));
    await(sent);
    String expected = "hello\nworld\r\none\ntwo\nthree\n";
    assertThat(await(c.receive(expected.length()))).isEqualTo(expected);
    await(c.socket.close());
  }

  @Test
  void aLineOfTheMaximumLengthIsEchoedAndALongerOneGetsAnErrorLineAndTheConnectionClosed() {
    Conversation c = connect();
    String longest = "x".repeat(MAX_LINE) + "\n";
    c.socket.write(longest);
    assertThat(await(c.receive(longest.length()))).isEqualTo(longest);

    c.socket.write("y".repeat(MAX_LINE + 1) + "\nnever echoed\n");
    await(c.closed.future(), Duration.ofSeconds(10));
    assertThat(c.text()).isEqualTo(longest + "ERR line too long (max 8192 bytes)\n");
  }

  @Test
  void anIdleConnectionIsClosed() {
    Conversation c = connect();
    long started = System.nanoTime();
    c.socket.write("ping\n");
    await(c.closed.future(), Duration.ofSeconds(10));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    assertThat(c.text()).isEqualTo("ping\n");
  }

  @Test
  void aThousandConcurrentClientsEachGetTheirOwnLineBack() {
    int clients = 1_000;
    List<Future<String>> replies = new ArrayList<>();
    for (int n = 0; n < clients; n++) {
      String line = "client " + n + " says " + "z".repeat(n % 50) + "\n";
      replies.add(client.connect(port, "127.0.0.1").compose(socket -> {
        Promise<String> reply = Promise.promise();
        Buffer received = Buffer.buffer();
        socket.handler(chunk -> {
          received.appendBuffer(chunk);
          if (received.length() >= line.length()) {
            reply.tryComplete(received.toString());
            socket.close();
          }
        });
        socket.closeHandler(v -> reply.tryFail("closed after " + received.length() + " bytes"));
        socket.write(line);
        return reply.future();
      }));
    }
    await(Future.join(replies), Duration.ofSeconds(60));
    for (int n = 0; n < clients; n++) {
      String line = "client " + n + " says " + "z".repeat(n % 50) + "\n";
      assertThat(replies.get(n).succeeded()).as("client %d: %s", n, replies.get(n).cause()).isTrue();
      assertThat(replies.get(n).result()).isEqualTo(line);
    }
  }

  /**
   * A client that writes without reading: the server stops reading it once its echoes cannot be written, so the
   * client's writes stall well before the budget; once it reads, every echo arrives intact. (On a server of its own
   * with a long idle timeout: a client that neither reads nor can be read from is idle, and would be closed.)
   */
  @Test
  void aClientThatDoesNotReadIsNotReadFrom() {
    int patientPort = deploy(60);
    long budget = 128L << 20;
    Buffer line = Buffer.buffer("b".repeat(MAX_LINE - 1) + "\n");
    NetClient small = vertx.createNetClient(new NetClientOptions().setReceiveBufferSize(65_536).setSendBufferSize(65_536));
    NetSocket socket = await(small.connect(patientPort, "127.0.0.1"));
    AtomicLong written = new AtomicLong();
    AtomicLong received = new AtomicLong();
    AtomicLong lastWriteNanos = new AtomicLong(System.nanoTime());
    AtomicBoolean intact = new AtomicBoolean(true);
    AtomicBoolean stopWriting = new AtomicBoolean();
    socket.handler(chunk -> {
      long offset = received.get();
      for (int i = 0; i < chunk.length(); i++) {
        if (chunk.getByte(i) != line.getByte((int) ((offset + i) % line.length()))) {
          intact.set(false);
        }
      }
      received.addAndGet(chunk.length());
    });
    socket.pause();
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (!stopWriting.get() && !socket.writeQueueFull() && written.get() < budget) {
        socket.write(line.copy());
        written.addAndGet(line.length());
        lastWriteNanos.set(System.nanoTime());
      }
    };
    socket.drainHandler(v -> pump[0].run());
    vertx.runOnContext(v -> pump[0].run());

    await(StrictVertx.eventually(vertx, Duration.ofSeconds(30), 50, () -> Future.succeededFuture(
        written.get() >= budget || System.nanoTime() - lastWriteNanos.get() > 500_000_000L)), Duration.ofSeconds(35));
    stopWriting.set(true);
    assertThat(written.get()).as("bytes the client could write without reading").isLessThan(budget);

    socket.resume();
    await(StrictVertx.eventually(vertx, Duration.ofSeconds(30), 20,
        () -> Future.succeededFuture(received.get() == written.get())), Duration.ofSeconds(35));
    assertThat(intact.get()).isTrue();
    await(small.close());
  }

  @Test
  void stoppingEndsOpenConnectionsAndRefusesNewOnes() {
    TcpEchoVerticle echo = deployed(60);
    Conversation c = new Conversation(await(client.connect(echo.actualPort(), "127.0.0.1")));
    c.socket.write("last words\n");
    await(c.receive("last words\n".length()));
    long started = System.nanoTime();
    await(vertx.undeploy(echo.deploymentID()));
    await(c.closed.future(), Duration.ofSeconds(5));
    // Ended by its shutdown handler at once, not cut when the drain time (1 s here) ran out.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(900));
    assertRefused(echo.actualPort());
  }

  /**
   * A connect to a closed port in the ephemeral range may be given that same port as its local one and then
   * connects to itself (TCP simultaneous open): that is the kernel, not a listener, so it counts as refused.
   */
  private static void assertRefused(int port) {
    Future<NetSocket> attempt = client.connect(port, "127.0.0.1").otherwiseEmpty();
    NetSocket socket = await(attempt);
    if (socket != null) {
      int local = socket.localAddress().port();
      await(socket.close());
      assertThat(local).as("connected to a listener on a stopped port").isEqualTo(port);
    }
  }

  @Test
  void aPublicAddressWithoutTokensIsRefusedBeforeListening() {
    JsonObject config = new JsonObject().put("tcp", new JsonObject().put("host", "0.0.0.0").put("port", 0)
        .put("maxLineBytes", MAX_LINE).put("idleTimeoutSeconds", 60).put("acceptBacklog", 16).put("drainMs", 1000));
    Future<String> deployed = vertx.deployVerticle(new TcpEchoVerticle(), new DeploymentOptions().setConfig(config));
    assertThatThrownBy(() -> await(deployed)).hasMessageContaining("FETCHBUS_API_TOKENS");
  }

  private static Future<Void> timer(long ms) {
    return vertx.timer(ms).mapEmpty();
  }
}
