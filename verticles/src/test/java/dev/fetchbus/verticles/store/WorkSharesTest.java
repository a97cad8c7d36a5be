package dev.fetchbus.verticles.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.bus.JobOptions;
import dev.fetchbus.verticles.store.WorkShares.Grant;
import dev.fetchbus.verticles.store.WorkShares.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WorkSharesTest {
  @Test
  void aNodeAloneGetsTheWholeLimits() {
    Grant grant = WorkShares.grant(64, 8, 8, List.of(), "a", 0, 0);
    assertThat(grant.admitted()).isTrue();
    assertThat(grant.usableConcurrency()).isEqualTo(64);
    assertThat(grant.usablePerHost()).isEqualTo(8);
    assertThat(grant.settled()).isTrue();
  }

  @Test
  void aJoiningNodeWaitsUntilTheOtherHandsBackWhatItHeld() {
    List<Worker> live = new ArrayList<>(List.of(new Worker("a", 64, 8)));
    Grant b = WorkShares.grant(64, 8, 8, live, "b", 0, 0);
    assertThat(b.usableConcurrency()).as("a holds everything").isZero();
    assertThat(b.fairConcurrency()).isEqualTo(32);
    assertThat(b.settled()).isFalse();
    live.add(new Worker("b", b.concurrency(), b.perHost()));

    // a still has 60 in flight (7 on one host): it keeps them, but starts nothing above its fair share.
    Grant a = WorkShares.grant(64, 8, 8, live, "a", 60, 7);
    assertThat(a.concurrency()).isEqualTo(60);
    assertThat(a.usableConcurrency()).isEqualTo(32);
    assertThat(a.usablePerHost()).isEqualTo(4);
    live.set(0, new Worker("a", a.concurrency(), a.perHost()));
    assertThat(WorkShares.grant(64, 8, 8, live, "b", 0, 0).concurrency()).as("only what a gave back").isEqualTo(4);

    live.set(0, new Worker("a", WorkShares.grant(64, 8, 8, live, "a", 30, 4).concurrency(), 4));
    Grant settled = WorkShares.grant(64, 8, 8, live, "b", 4, 1);
    assertThat(settled.usableConcurrency()).isEqualTo(32);
    assertThat(settled.usablePerHost()).isEqualTo(4);
    assertThat(settled.settled()).isTrue();
  }

  @Test
  void aJobHasNoMoreNodesThanItsSmallerLimitAndTheFirstNodesTakeTheRemainder() {
    List<Worker> live = List.of(new Worker("a", 2, 1), new Worker("b", 1, 1));
    assertThat(WorkShares.grant(3, 2, 2, live, "c", 0, 0).admitted()).isFalse();
    assertThat(WorkShares.fair(5, 2, 0)).isEqualTo(3);
    JobOptions polite = JobOptions.fromJson(new io.vertx.core.json.JsonObject().put("perHostDelayMs", 100));
    assertThat(WorkShares.maxWorkers(polite)).as("a gap between fetches to a host holds on one node only").isOne();
    assertThat(WorkShares.grant(polite, List.of(new Worker("a", 64, 8)), "b", 0, 0).admitted()).isFalse();
    assertThat(WorkShares.fair(5, 2, 1)).isEqualTo(2);
  }

  /**
   * Nodes joining, renewing with what they have in flight, and leaving in random order: what they may have in
   * flight (never more than their last usable grant, held down while a renewal is out) never adds up to more than
   * the job's limits, and once they stop changing every node reaches its fair share.
   */
  @Test
  void randomJoinsRenewalsAndLeavesNeverExceedTheLimits() {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      int concurrency = 1 + random.nextInt(64);
      int perHost = 1 + random.nextInt(Math.min(concurrency, 8));
      int most = Math.min(concurrency, perHost);
      List<Worker> live = new ArrayList<>();
      List<int[]> inFlight = new ArrayList<>(); // per live worker: {total, on the busiest host}
      for (int step = 0; step < 100; step++) {
        int pick = random.nextInt(live.size() + 2);
        if (pick == live.size() + 1 && !live.isEmpty()) {
          int gone = random.nextInt(live.size());
          live.remove(gone);
          inFlight.remove(gone);
          continue;
        }
        boolean joining = pick >= live.size();
        String owner = joining ? "n" + step : live.get(pick).owner();
        int[] have = joining ? new int[] {0, 0} : inFlight.get(pick);
        Grant grant = WorkShares.grant(concurrency, perHost, most, live, owner, have[0], have[1]);
        if (!grant.admitted()) {
          assertThat(joining).isTrue();
          continue;
        }
        Worker saved = new Worker(owner, grant.concurrency(), grant.perHost());
        int index = joining ? live.size() : pick;
        if (joining) {
          live.add(saved);
          inFlight.add(have);
        } else {
          live.set(index, saved);
        }
        // The node now moves its in-flight anywhere up to what it may use (or keeps more it already had).
        int total = Math.max(Math.min(have[0], grant.concurrency()), random.nextInt(grant.usableConcurrency() + 1));
        int host = Math.max(Math.min(have[1], grant.perHost()), random.nextInt(grant.usablePerHost() + 1));
        inFlight.set(index, new int[] {total, Math.min(host, total == 0 ? 0 : host)});
        assertThat(live.stream().mapToInt(Worker::concurrency).sum()).isLessThanOrEqualTo(concurrency);
        assertThat(live.stream().mapToInt(Worker::perHost).sum()).isLessThanOrEqualTo(perHost);
        assertThat(inFlight.stream().mapToInt(f -> f[0]).sum()).isLessThanOrEqualTo(concurrency);
        assertThat(inFlight.stream().mapToInt(f -> f[1]).sum()).isLessThanOrEqualTo(perHost);
      }
      // Quiet: everyone drains to its fair share and renews until nothing changes.
      for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < live.size(); i++) {
          Grant grant = WorkShares.grant(concurrency, perHost, most, live, live.get(i).owner(), 0, 0);
          live.set(i, new Worker(live.get(i).owner(), grant.concurrency(), grant.perHost()));
        }
      }
      for (int i = 0; i < live.size(); i++) {
        assertThat(WorkShares.grant(concurrency, perHost, most, live, live.get(i).owner(), 0, 0).settled())
            .as("round %d node %d", round, i).isTrue();
      }
    }
  }
}
