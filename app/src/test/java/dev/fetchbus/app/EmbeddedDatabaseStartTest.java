package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Where the embedded cluster lives and what a failed first start says. Run as root (as CI does), so PostgreSQL runs
 * as nobody: a data dir that nobody cannot reach still works, with its cluster kept under pg.embedded.fallbackDir,
 * the same one at every start; and a data dir on a volume too small for initdb fails with initdb's own last lines.
 */
class EmbeddedDatabaseStartTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.notStarted();

  @Test
  void aDataDirNobodyCanReachKeepsItsClusterElsewhereAcrossRestarts() throws Exception {
    assertRoot();
    Path privateDir = running.dataDir;
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateDir))).isEqualTo("rwx------");
    Path dataDir = privateDir.resolve("data");
    Path expected = EmbeddedDatabase.fallbackCluster(TestApp.FALLBACK_DIR, Files.createDirectories(dataDir));
    assertThat(expected.getParent().getFileName().toString()).startsWith("data-");

    try {
      startTwice(dataDir, expected);
    } finally {
      TestApp.delete(dataDir);
    }
    assertThat(expected).doesNotExist();
  }

  private static void startTwice(Path dataDir, Path expected) throws Exception {
    Path privateDir = dataDir.getParent();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(EmbeddedDatabase.class);
    logger.addAppender(logs);
    logs.start();
    List<String> urls = IntStream.range(0, 24).mapToObj(n -> running.origin.url("/slow/" + n + "?ms=250")).toList();
    String id;
    JsonObject before;
    try (TestApp first = TestApp.start(dataDir)) {
      assertThat(first.app.database().cluster()).isEqualTo(expected);
      assertThat(Files.getOwner(expected).getName()).isEqualTo("nobody");
      Api api = new Api(running.vertx, first);
      id = api.submit(urls, 2);
      before = api.awaitJob(id, Duration.ofSeconds(30), j -> j.getInteger("completed") >= 4);
      api.close();
    } finally {
      logger.detachAppender(logs);
    }
    assertThat(logs.list).anySatisfy(event -> assertThat(event.getFormattedMessage())
        .contains("cannot reach " + dataDir).contains("lives in " + expected));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateDir)))
        .as("the user's directories keep their permissions").isEqualTo("rwx------");
    assertThat(dataDir.resolve("postgres")).doesNotExist();

    try (TestApp second = TestApp.start(dataDir)) {
      assertThat(second.app.database().cluster()).isEqualTo(expected);
      Api api = new Api(running.vertx, second);
      JsonObject after = api.job(id);
      assertThat(after.getString("createdAt")).isEqualTo(before.getString("createdAt"));
      assertThat(after.getInteger("completed")).isGreaterThanOrEqualTo(before.getInteger("completed"));
      JsonObject done = api.awaitEnd(id, Duration.ofSeconds(60));
      assertThat(done.getString("status")).isEqualTo("done");
      assertThat(api.results(id)).extracting(r -> r.getInteger("seq"))
          .containsExactlyElementsOf(IntStream.range(0, 24).boxed().toList());
      api.close();
    }
  }

  @Test
  void aVolumeTooSmallForInitdbFailsTheStartWithInitdbsLastLines() throws Exception {
    assertRoot();
    // The server's user must reach the volume, so that the cluster goes onto it: this directory is the test's own.
    Path base = Files.createTempDirectory("fetchbus-small-volume-");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path volume = Tmpfs.mount(base.resolve("data"), "2m");
    try {
      Path serverLog = volume.resolve("postgres.log");
      assertThatThrownBy(() -> TestApp.start(volume).close())
          .hasMessageContaining("initdb failed")
          .hasMessageContaining("No space left on device")
          .hasMessageContaining("all of it in " + serverLog);
      assertThat(Files.readString(serverLog)).contains("No space left on device");
    } finally {
      Tmpfs.unmount(volume);
      TestApp.delete(base);
    }
  }

  private static void assertRoot() {
    assertThat(System.getProperty("user.name"))
        .as("this test needs root (CI runs as root): it checks how PostgreSQL runs as an unprivileged user")
        .isEqualTo("root");
  }
}
