package dev.fetchbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorLayoutTest {
  @TempDir
  Path dir;

  @Test
  void laysBodiesOutByHostAndPathLikeWget() {
    MirrorLayout layout = new MirrorLayout(dir);
    assertThat(layout.place("http://Example.ORG/a/b.html")).isEqualTo(dir.resolve("example.org/a/b.html"));
    assertThat(layout.place("http://example.org:8080/")).isEqualTo(dir.resolve("example.org:8080/index.html"));
    assertThat(layout.place("https://example.org")).isEqualTo(dir.resolve("example.org/index.html"));
    assertThat(layout.place("http://example.org/a/?q=1&r=2")).isEqualTo(dir.resolve("example.org/a/index.html?q=1&r=2"));
    assertThat(layout.place("http://example.org/sp%20ace/x+y")).isEqualTo(dir.resolve("example.org/sp ace/x+y"));
  }

  @Test
  void nothingLandsOutsideTheDirectory() {
    MirrorLayout layout = new MirrorLayout(dir);
    for (String url : new String[] {"http://h/../../etc/passwd", "http://h/a/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "http://h/%2F..%2F..%2Fetc%2Fpasswd", "http://h/..%5c..%5cwin.ini", "http://h/a/./b/%00nul",
        "http://h/" + "x".repeat(300)}) {
      Path placed = layout.place(url);
      assertThat(placed.normalize().startsWith(dir.resolve("h"))).as(url + " -> " + placed).isTrue();
      for (Path part : dir.relativize(placed)) {
        assertThat(part.toString()).as(url).isNotIn(".", "..").doesNotContain("\0", "\\");
      }
    }
    assertThat(layout.place("http://h/../../etc/passwd")).as("the same name again").isEqualTo(dir.resolve("h/etc/passwd.1"));
  }

  @Test
  void namesThatCollideGetANumberAndAFileDoesNotBlockADirectory() throws IOException {
    MirrorLayout layout = new MirrorLayout(dir);
    assertThat(layout.place("http://h/a")).isEqualTo(dir.resolve("h/a"));
    assertThat(layout.place("http://h/a/b")).as("a is a file already").isEqualTo(dir.resolve("h/a.d/b"));
    assertThat(layout.place("http://h/a#frag")).isEqualTo(dir.resolve("h/a.1"));
    Files.createDirectories(dir.resolve("h2"));
    Files.writeString(dir.resolve("h2/there"), "left by an earlier run");
    assertThat(layout.place("http://h2/there")).as("never overwrites").isEqualTo(dir.resolve("h2/there.1"));
  }
}
