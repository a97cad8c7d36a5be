package dev.fetchbus.verticles.http;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.StrictVertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests no well-behaved client library sends, written byte by byte to the real HttpVerticle: each is answered
 * with a problem, never with Vert.x's own plain-text answer or a 500. (Each case was found by ApiFuzzTest.)
 */
class RawRequestTest {
  private static final String KEY = "Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\n";
  private static final String UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade\r\n";

  private static Vertx vertx;
  private static int port;

  @BeforeAll
  static void start() throws IOException {
    vertx = StrictVertx.create();
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    JsonObject config = new JsonObject(Files.readString(Path.of("../conf/config.json")));
    config.put("dataDir", Files.createTempDirectory("fetchbus-raw-").toString());
    config.getJsonObject("http").put("port", port);
    await(vertx.deployVerticle(new HttpVerticle(), new DeploymentOptions().setConfig(config)));
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "request line over 4096 bytes      | 414 | uri-too-long",
      "headers over 8192 bytes           | 431 | headers-too-large",
      "header line without a colon       | 400 | bad-request",
      "HTTP/1.1 without Host             | 400 | bad-request",
      "path that does not decode         | 400 | bad-request",
      "query that does not decode        | 400 | bad-request",
      "upgrade to another protocol       | 400 | websocket-required",
      "upgrade without a key             | 400 | websocket-required",
      "upgrade of another version        | 400 | websocket-required",
      "upgrade in a second Connection    | 400 | websocket-required",
      "upgrade with a body               | 400 | websocket-required",
  })
  void anUnreadableRequestGetsAProblem(String what, int status, String slug) throws IOException {
    String request = switch (what.trim()) {
      case "request line over 4096 bytes" -> "GET /hello?" + "q".repeat(5_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
      case "headers over 8192 bytes" -> "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9_000) + "\r\n\r\n";
      case "header line without a colon" -> "GET /hello HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n";
      case "HTTP/1.1 without Host" -> "GET /hello HTTP/1.1\r\n\r\n";
      case "path that does not decode" -> "GET /metrics/%zz HTTP/1.1\r\nHost: x\r\n\r\n";
      // A route with a path parameter: matching it decodes the query.
      case "query that does not decode" ->
          "GET /api/jobs/00000000-0000-0000-0000-000000000001/results?a=% HTTP/1.1\r\nHost: x\r\n\r\n";
      case "upgrade to another protocol" -> "GET /ws/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket2\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + KEY + "\r\n";
      case "upgrade without a key" -> "GET /ws/echo HTTP/1.1\r\nHost: x\r\n" + UPGRADE
          + "Sec-WebSocket-Version: 13\r\n\r\n";
      case "upgrade of another version" -> "GET /ws/echo HTTP/1.1\r\nHost: x\r\n" + UPGRADE
          + "Sec-WebSocket-Version: 8\r\n" + KEY + "\r\n";
      case "upgrade in a second Connection" -> "GET /ws/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
          + "Connection: keep-alive\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + KEY + "\r\n";
      case "upgrade with a body" -> "GET /ws/echo HTTP/1.1\r\nHost: x\r\n" + UPGRADE
          + "Sec-WebSocket-Version: 13\r\n" + KEY + "Content-Length: 2\r\n\r\n{}";
      default -> throw new IllegalArgumentException(what);
    };
    Answer answer = exchange(request);
    assertThat(answer.status()).isEqualTo(status);
    assertThat(answer.headers().get("content-type")).isEqualTo("application/problem+json");
    JsonObject problem = new JsonObject(answer.body());
    assertThat(problem.getString("type")).isEqualTo("urn:fetchbus:problem:" + slug);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    if (slug.equals("websocket-required")) {
      assertThat(answer.headers().get("sec-websocket-version")).isEqualTo("13");
    }
  }

  @Test
  void anH2cUpgradeIsIgnoredTheRequestAnsweredOverHttp1() throws IOException {
    Answer answer = exchange("GET /hello HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("Hello, Anonymous");
  }

  private record Answer(int status, Map<String, String> headers, String body) {
  }

  /** Writes the request as it is and reads one answer with a Content-Length (all of these have one). */
  private static Answer exchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      InputStream in = socket.getInputStream();
      int status = Integer.parseInt(line(in).split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        int colon = header.indexOf(':');
        headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
      }
      byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed before the answer ended");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
