package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 2 GiB upload into the service running as a child JVM with a 128 MiB heap: the body is generated while it is
 * sent (the client holds no more than one block of it) and hashed on the fly on both sides.
 */
class LargeUploadTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();
  private static final long SIZE = 2L << 30;

  @Test
  void twoGibibytesStreamThroughA128MiBHeap() throws Exception {
    WebClient probe = WebClient.create(running.vertx);
    ChildService service = ChildService.launch(running.dataDir, "large-upload", Map.of(), List.of("-Xmx128m"));
    String base = service.base();
    try {
      service.awaitReady(running.vertx, probe);
      GeneratedBody body = new GeneratedBody(SIZE);
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/uploads"))
          .header("Content-Type", "application/octet-stream")
          .expectContinue(true)
          .timeout(Duration.ofSeconds(120))
          .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), SIZE))
          .build();
      long start = System.nanoTime();
      HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .send(request, HttpResponse.BodyHandlers.ofString());
      long ms = Math.max(1, (System.nanoTime() - start) / 1_000_000);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
      JsonObject upload = new JsonObject(response.body());
      assertThat(body.sent()).isEqualTo(SIZE);
      assertThat(upload.getLong("bytes")).isEqualTo(SIZE);
      assertThat(upload.getString("sha256")).isEqualTo(body.sha256());
      Path file = running.dataDir.resolve("uploads").resolve(upload.getString("id"));
      assertThat(Files.size(file)).isEqualTo(SIZE);
      System.out.printf("2 GiB uploaded in %d ms (%d MB/s)%n", ms, SIZE / 1_000 / ms);

      HttpResponse<Void> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(base + "/api/uploads/" + upload.getString("id"))).DELETE().build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(deleted.statusCode()).isEqualTo(204);
      assertThat(file).doesNotExist();
      assertThat(service.terminate()).isZero();
    } finally {
      service.close();
      probe.close();
    }
  }

  /**
   * {@code size} bytes made while they are read: one random 1 MiB block, each copy stamped with its index (so a
   * lost, repeated or reordered block changes the digest), hashed as it goes out.
   */
  private static final class GeneratedBody extends InputStream {
    private final byte[] block = new byte[1 << 20];
    private final MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    private final long size;
    private long sent;

    GeneratedBody(long size) throws Exception {
      this.size = size;
      new Random(42).nextBytes(block);
    }

    @Override
    public int read(byte[] to, int offset, int length) {
      if (sent == size) {
        return -1;
      }
      int at = (int) (sent % block.length);
      if (at == 0) {
        long index = sent / block.length;
        for (int i = 0; i < Long.BYTES; i++) {
          block[i] = (byte) (index >>> (8 * i));
        }
      }
      int n = (int) Math.min(Math.min(length, block.length - at), size - sent);
      System.arraycopy(block, at, to, offset, n);
      sha256.update(to, offset, n);
      sent += n;
      return n;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    long sent() {
      return sent;
    }

    String sha256() {
      return HexFormat.of().formatHex(sha256.digest());
    }
  }
}
