package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Uploads over real loopback connections into real files and PostgreSQL rows: streamed in and read back intact,
 * refused at the limit (declared or counted), and cleaned up when the client disconnects half-way.
 */
class UploadTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.started();
  private static final int LIMIT = (int) TestApp.UPLOAD_MAX_BYTES;

  /** Each test deletes what it uploaded; everything refused or abandoned must leave nothing behind. */
  @AfterEach
  void nothingIsLeft() throws Exception {
    assertThat(uploadFiles()).isEmpty();
    assertThat(running.app.uploadRows()).isZero();
  }

  @Test
  void anUploadIsStoredAndReadBackIntact() throws Exception {
    byte[] body = randomBytes(3 * 1024 * 1024 + 17);
    HttpResponse<Buffer> created = await(running.api.client().postAbs(running.app.url("/api/uploads"))
        .putHeader("content-type", "application/x-fetchbus-test; v=1").sendBuffer(Buffer.buffer(body)));

    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject upload = created.bodyAsJsonObject();
    String id = upload.getString("id");
    assertThat(created.getHeader("location")).isEqualTo("/api/uploads/" + id);
    assertThat(upload.getLong("bytes")).isEqualTo(body.length);
    assertThat(upload.getString("sha256")).isEqualTo(sha256(body));
    assertThat(upload.getString("contentType")).isEqualTo("application/x-fetchbus-test; v=1");
    assertThat(upload.getString("createdAt")).isNotBlank();
    assertThat(running.app.uploadRows()).isEqualTo(1);
    assertThat(uploadFiles()).containsExactly(uploadsDir().resolve(id));

    HttpResponse<Buffer> metadata = running.api.get("/api/uploads/" + id);
    assertThat(metadata.statusCode()).isEqualTo(200);
    assertThat(metadata.bodyAsJsonObject()).isEqualTo(upload);

    HttpResponse<Buffer> content = running.api.get("/api/uploads/" + id + "/content");
    assertThat(content.statusCode()).isEqualTo(200);
    assertThat(content.getHeader("content-type")).isEqualTo("application/x-fetchbus-test; v=1");
    assertThat(content.getHeader("content-length")).isEqualTo(Integer.toString(body.length));
    assertThat(content.body().getBytes()).isEqualTo(body);

    assertThat(running.api.delete("/api/uploads/" + id).statusCode()).isEqualTo(204);
    assertProblem(running.api.get("/api/uploads/" + id), 404);
    assertProblem(running.api.delete("/api/uploads/" + id), 404);
    assertThat(uploadFiles()).isEmpty();
    assertThat(running.app.uploadRows()).isZero();
  }

  @Test
  void unknownIdsAreNotFoundAndMalformedOnesInvalid() {
    assertProblem(running.api.get("/api/uploads/" + UUID.randomUUID()), 404);
    assertProblem(running.api.get("/api/uploads/" + UUID.randomUUID() + "/content"), 404);
    // As for jobs: docs/openapi.yaml says an id is a UUID.
    assertProblem(running.api.get("/api/uploads/not-a-uuid"), 400);
    assertProblem(running.api.delete("/api/uploads/not-a-uuid"), 400);
  }

  /** The body is sent only after the server's 100 Continue, as curl does for large bodies. */
  @Test
  void aClientExpecting100ContinueIsInvitedToSend() throws Exception {
    byte[] body = randomBytes(100_000);
    String location;
    try (Socket socket = connect()) {
      send(socket, "POST /api/uploads HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: "
          + body.length + "\r\nExpect: 100-continue\r\n\r\n");
      assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 100 Continue");
      socket.getOutputStream().write(body);
      String head = readHead(socket.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 201 ");
      location = head.lines().filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("location: "))
          .findFirst().orElseThrow().substring("location: ".length());
    }
    assertThat(running.app.uploadRows()).isEqualTo(1);
    assertThat(Files.size(uploadFiles().get(0))).isEqualTo(body.length);
    assertThat(running.api.delete(location).statusCode()).isEqualTo(204);
  }

  @Test
  void aDeclaredLengthOverTheLimitIsRefusedAtOnce() throws Exception {
    HttpResponse<Buffer> refused = await(running.api.client().postAbs(running.app.url("/api/uploads"))
        .sendBuffer(Buffer.buffer(randomBytes(LIMIT + 1))));
    assertProblem(refused, 413);

    // With Expect: 100-continue the body is never invited: the 413 comes on the headers alone.
    try (Socket socket = connect()) {
      send(socket, "POST /api/uploads HTTP/1.1\r\nHost: test\r\nContent-Length: " + (LIMIT + 1)
          + "\r\nExpect: 100-continue\r\n\r\n");
      String head = readHead(socket.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close");
    }
  }

  @Test
  void aChunkedBodyOverTheLimitIsRefusedWhenItGetsThere() throws Exception {
    HttpClient client = running.vertx.createHttpClient();
    try {
      HttpClientRequest request = await(client.request(new RequestOptions().setMethod(HttpMethod.POST)
          .setAbsoluteURI(running.app.url("/api/uploads"))));
      request.setChunked(true);
      byte[] chunk = randomBytes(64 * 1024);
      for (int sent = 0; sent <= LIMIT; sent += chunk.length) {
        request.write(Buffer.buffer(chunk));
      }
      request.end();
      // The body is taken on the event loop as the response arrives.
      HttpClientResponse response = await(request.response().compose(r -> r.body().map(r)));
      assertThat(response.statusCode()).isEqualTo(413);
      assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
      assertThat(await(response.body()).toJsonObject().getString("type")).isEqualTo("urn:fetchbus:problem:body-too-large");
    } finally {
      await(client.close());
    }
  }

  /** A client that keeps sending after the 413 still reads it, and is cut off within a bounded time. */
  @Test
  void aClientThatWillNotStopSendingGetsThe413AndIsDisconnected() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "POST /api/uploads HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n");
      Thread sender = new Thread(() -> {
        byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try {
          OutputStream out = socket.getOutputStream();
          for (long deadline = System.nanoTime() + 30_000_000_000L; System.nanoTime() < deadline; ) {
            out.write(chunk);
          }
        } catch (IOException closedByServer) {
          // expected: the server hangs up after its linger time
        }
      });
      sender.start();
      socket.setSoTimeout(20_000);
      String head = readHead(socket.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 413 ");
      long start = System.nanoTime();
      sender.join(20_000);
      assertThat(sender.isAlive()).as("server closed the connection").isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }
  }

  @Test
  void aClientThatDisconnectsMidUploadLeavesNoFileAndNoRow() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "POST /api/uploads HTTP/1.1\r\nHost: test\r\nContent-Length: 5000000\r\n\r\n");
      socket.getOutputStream().write(randomBytes(1_000_000));
      socket.getOutputStream().flush();
      // The partial file exists before the client goes away...
      awaitUploadFiles(files -> files.size() == 1 && size(files.get(0)) > 0);
    }
    // ...and is gone after.
    awaitUploadFiles(List::isEmpty);
    assertThat(running.app.uploadRows()).isZero();
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getInteger("status")).isEqualTo(status);
  }

  private static Path uploadsDir() {
    return running.dataDir.resolve("uploads");
  }

  private static List<Path> uploadFiles() throws IOException {
    try (Stream<Path> files = Files.list(uploadsDir())) {
      return files.toList();
    }
  }

  /** Polls the uploads directory (every 20 ms, at most 10 s) until the condition holds. */
  private static void awaitUploadFiles(Predicate<List<Path>> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.test(uploadFiles())) {
      assertThat(System.nanoTime()).as("uploads dir: " + uploadFiles()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException gone) {
      return 0;
    }
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", running.app.port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** Reads one response head (status line and headers), up to the blank line. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new SocketException("connection closed after: " + head.toString(StandardCharsets.US_ASCII));
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new Random(n).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
