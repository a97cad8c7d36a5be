package dev.fetchbus.verticles.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {
  private final List<String> lines = new ArrayList<>();
  private int refusals;

  private LineFramer framer(int max) {
    return new LineFramer(max, line -> lines.add(line.toString()), () -> refusals++);
  }

  @Test
  void linesSplitAcrossChunksAndSeveralInOneChunk() {
    LineFramer framer = framer(100);
    framer.feed(Buffer.buffer("hel"));
    framer.feed(Buffer.buffer("lo\nwor"));
    framer.feed(Buffer.buffer("ld\r\none\ntwo\n\nthr"));
    assertThat(lines).containsExactly("hello\n", "world\r\n", "one\n", "two\n", "\n");
    framer.feed(Buffer.buffer("ee\n"));
    assertThat(lines).endsWith("three\n");
    assertThat(refusals).isZero();
  }

  @Test
  void aLineOfExactlyTheLimitPasses() {
    LineFramer framer = framer(8);
    framer.feed(Buffer.buffer("1234"));
    framer.feed(Buffer.buffer("5678\n12345678\n"));
    assertThat(lines).containsExactly("12345678\n", "12345678\n");
    assertThat(refusals).isZero();
  }

  @Test
  void aLongLineIsRefusedBeforeItsEndArrivesAndNothingAfterItIsGiven() {
    LineFramer framer = framer(8);
    framer.feed(Buffer.buffer("ok\n12345"));
    assertThat(refusals).isZero();
    framer.feed(Buffer.buffer("6789"));
    assertThat(refusals).isOne();
    framer.feed(Buffer.buffer("\nlater\n"));
    assertThat(lines).containsExactly("ok\n");
    assertThat(refusals).isOne();
  }

  @Test
  void aLongLineInsideAChunkStopsTheLinesAfterIt() {
    LineFramer framer = framer(4);
    framer.feed(Buffer.buffer("a\nbcdef\ng\n"));
    assertThat(lines).containsExactly("a\n");
    assertThat(refusals).isOne();
  }
}
