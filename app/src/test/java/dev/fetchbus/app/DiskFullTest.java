package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.testing.TestOrigin;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mirror bodies and uploads on volumes that fill up: real tmpfs file systems mounted for the test (it runs as root,
 * as CI does), so the kernel itself answers ENOSPC. Every result that says {@code ok} must have its whole file on
 * disk; every write that failed must leave no file and be reported as such.
 */
class DiskFullTest {
  private static final int MIRROR_URLS = 1_000; // about 4.5 MiB of bodies from the test origin
  private static Path volumes;
  private static Path mirrorVolume;
  private static Path uploadVolume;
  private static RunningApp running;

  @BeforeAll
  static void mountSmallVolumes() throws Exception {
    volumes = Files.createTempDirectory("fetchbus-volumes-");
    mirrorVolume = Tmpfs.mount(volumes.resolve("mirror"), "2m");
    uploadVolume = Tmpfs.mount(volumes.resolve("uploads"), "1m");
    running = RunningApp.started(Map.of("FETCHBUS_MIRROR_DIR", mirrorVolume.toString(),
        "FETCHBUS_UPLOAD_DIR", uploadVolume.toString()));
    running.beforeAll(null);
  }

  @AfterAll
  static void unmount() throws Exception {
    try {
      if (running != null) {
        running.afterAll(null);
      }
    } finally {
      for (Path volume : new Path[] {mirrorVolume, uploadVolume}) {
        if (volume != null) {
          Tmpfs.unmount(volume);
        }
      }
      TestApp.delete(volumes);
    }
  }

  @Test
  void aMirrorJobOnAFullVolumeStoresOnlyWholeFilesAndSaysSo() throws Exception {
    List<String> urls = new ArrayList<>();
    for (int n = 0; n < MIRROR_URLS; n++) {
      urls.add(running.origin.url("/obj/" + n));
    }
    String id = running.api.submit(new JsonObject().put("urls", urls).put("body", "mirror").put("retries", 0));
    JsonObject job = running.api.awaitEnd(id, Duration.ofSeconds(60));
    assertThat(job.getString("status")).isEqualTo("done");

    List<JsonObject> results = running.api.results(id);
    assertThat(results).hasSize(MIRROR_URLS);
    long ok = 0;
    long storageErrors = 0;
    for (JsonObject r : results) {
      int seq = r.getInteger("seq");
      Path file = mirrorVolume.resolve(id).resolve(Integer.toString(seq));
      switch (r.getString("outcome")) {
        case "ok" -> {
          ok++;
          assertThat(r.getString("path")).isEqualTo("mirror/" + id + "/" + seq);
          byte[] onDisk = Files.readAllBytes(file);
          assertThat((long) onDisk.length).as("size of %s", file).isEqualTo(r.getLong("bytes"));
          assertThat(TestOrigin.sha256(onDisk)).as("sha256 of %s", file).isEqualTo(r.getString("sha256"));
        }
        case "storage_error" -> {
          storageErrors++;
          assertThat(r.getString("path")).isNull();
          assertThat(file).doesNotExist();
        }
        default -> throw new AssertionError("unexpected result " + r.encode());
      }
    }
    // The volume holds about half of the bodies: both kinds must have happened for the test to mean anything.
    assertThat(ok).isPositive();
    assertThat(storageErrors).isPositive();
    assertThat(job.getInteger("storageErrors")).isEqualTo((int) storageErrors);
    assertThat(job.getJsonArray("warnings").getString(0)).contains("storage_error").contains("full");
    try (Stream<Path> files = Files.list(mirrorVolume.resolve(id))) {
      assertThat(files.filter(f -> f.getFileName().toString().startsWith("."))).as("partial files").isEmpty();
    }

    // Purging frees the volume, and the next mirror job on it stores everything.
    assertThat(running.api.delete("/api/jobs/" + id + "?purge=true").statusCode()).isEqualTo(204);
    String again = running.api.submit(new JsonObject().put("urls", urls.subList(0, 50)).put("body", "mirror"));
    JsonObject second = running.api.awaitEnd(again, Duration.ofSeconds(30));
    assertThat(second.getInteger("succeeded")).isEqualTo(50);
    assertThat(second.getInteger("storageErrors")).isZero();
    assertThat(second.getJsonArray("warnings")).isEmpty();
  }

  @Test
  void anUploadOntoAFullVolumeIs507AndLeavesNoFile() throws Exception {
    byte[] body = new byte[3 << 20];
    new Random(7).nextBytes(body);
    HttpResponse<Buffer> refused = await(running.api.client().postAbs(running.app.url("/api/uploads"))
        .sendBuffer(Buffer.buffer(body)));
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(507);
    assertThat(refused.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(refused.bodyAsJsonObject().getString("type")).isEqualTo("urn:fetchbus:problem:insufficient-storage");
    assertThat(refused.bodyAsJsonObject().getString("detail")).contains("full");
    try (Stream<Path> files = Files.list(uploadVolume)) {
      assertThat(files).as("files left on the upload volume").isEmpty();
    }
    assertThat(running.app.uploadRows()).isZero();

    // The service goes on serving, and an upload that fits is stored.
    assertThat(running.api.get("/hello").statusCode()).isEqualTo(200);
    HttpResponse<Buffer> stored = await(running.api.client().postAbs(running.app.url("/api/uploads"))
        .sendBuffer(Buffer.buffer(new byte[100_000])));
    assertThat(stored.statusCode()).as(stored.bodyAsString()).isEqualTo(201);
    assertThat(running.api.delete("/api/uploads/" + stored.bodyAsJsonObject().getString("id")).statusCode())
        .isEqualTo(204);
  }

}
