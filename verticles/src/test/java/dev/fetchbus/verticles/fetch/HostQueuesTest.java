package dev.fetchbus.verticles.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.UrlRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostQueuesTest {
  @Test
  void hostsTakeTurnsAndEachKeepsItsOrder() {
    HostQueues queues = new HostQueues();
    queues.add(new UrlRef(0, "http://a/0"), "http://a");
    queues.add(new UrlRef(1, "http://a/1"), "http://a");
    queues.add(new UrlRef(2, "http://b/2"), "http://b");
    queues.add(new UrlRef(3, "http://a/3"), "http://a");
    assertThat(queues.size()).isEqualTo(4);
    assertThat(queues.hosts()).isEqualTo(2);

    List<Integer> taken = new ArrayList<>();
    while (!queues.isEmpty()) {
      // One URL a turn.
      taken.add(queues.take().seq());
      queues.endTurn();
    }
    assertThat(taken).containsExactly(0, 2, 1, 3);
    assertThat(queues.hosts()).isZero();
  }

  @Test
  void aTurnThatTakesNothingMovesTheHostToTheBackAndAnEmptiedHostLeaves() {
    HostQueues queues = new HostQueues();
    queues.add(new UrlRef(0, "http://a/0"), "http://a");
    queues.add(new UrlRef(1, "http://b/1"), "http://b");
    assertThat(queues.nextHost()).isEqualTo("http://a");
    queues.endTurn();
    assertThat(queues.nextHost()).isEqualTo("http://b");
    assertThat(queues.turnHasWaiting()).isTrue();
    assertThat(queues.take().seq()).isEqualTo(1);
    assertThat(queues.turnHasWaiting()).isFalse();
    queues.endTurn();
    assertThat(queues.hosts()).isEqualTo(1);
    assertThat(queues.nextHost()).isEqualTo("http://a");
    queues.add(new UrlRef(2, "http://b/2"), "http://b");
    assertThat(queues.hosts()).isEqualTo(2);
    assertThat(queues.size()).isEqualTo(2);
  }
}
