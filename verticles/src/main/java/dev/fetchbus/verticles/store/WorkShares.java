package dev.fetchbus.verticles.store;

import dev.fetchbus.verticles.bus.JobOptions;
import java.util.List;

/**
 * How a job's {@code concurrency} and {@code perHost} limits are divided among the fetch nodes working on it. Each
 * node holds a grant; the grants of the live nodes never add up to more than the job's limits, so neither limit is
 * exceeded across nodes. The fair share of the node at {@code rank} (in order of joining) among {@code n} is
 * {@code limit / n}, one more for the first {@code limit % n}. A node whose fair share shrank (another joined) keeps
 * what it still has in flight and hands the rest back as those fetches end; a node whose fair share grew takes only
 * what the others do not hold. A job has at most {@code min(concurrency, perHost)} nodes, so every node's share of
 * both is at least one; a job with a {@code perHostDelayMs} has one, so the gap between two fetches to a host holds
 * for the whole job.
 */
final class WorkShares {
  /** A live worker as stored: its owner and what it holds now. */
  record Worker(String owner, int concurrency, int perHost) {
  }

  /**
   * What a node may have in flight ({@code concurrency}, and per host {@code perHost}) and its fair share, which
   * it aims for: below its grant while it hands fetches back, above while it waits for others to. {@code workers}
   * is 0 when the node was not admitted (the job has as many nodes as its limits allow).
   */
  record Grant(int concurrency, int perHost, int fairConcurrency, int fairPerHost, int workers) {
    static final Grant REFUSED = new Grant(0, 0, 0, 0, 0);

    boolean admitted() {
      return workers > 0;
    }

    /** The limits the node applies now: its grant, or its fair share when that is smaller. */
    int usableConcurrency() {
      return Math.min(concurrency, fairConcurrency);
    }

    int usablePerHost() {
      return Math.min(perHost, fairPerHost);
    }

    boolean settled() {
      return concurrency == fairConcurrency && perHost == fairPerHost;
    }
  }

  private WorkShares() {
  }

  /**
   * The grant of {@code owner}, given the live workers in joining order (the owner among them unless it joins
   * now) and what the owner reported in flight when it asked: its total and the most it has on any one host.
   */
  static Grant grant(JobOptions options, List<Worker> live, String owner, int inFlight, int hostInFlight) {
    return grant(options.concurrency(), options.perHost(), maxWorkers(options), live, owner, inFlight, hostInFlight);
  }

  /** The most nodes that may work on a job at once (OPEN_JOBS in {@link JobStore} states the same in SQL). */
  static int maxWorkers(JobOptions options) {
    return options.perHostDelayMs() > 0 ? 1 : Math.min(options.concurrency(), options.perHost());
  }

  static Grant grant(int concurrencyLimit, int perHostLimit, int maxWorkers, List<Worker> live, String owner,
                     int inFlight, int hostInFlight) {
    int index = 0;
    while (index < live.size() && !live.get(index).owner().equals(owner)) {
      index++;
    }
    boolean joining = index == live.size();
    int workers = joining ? live.size() + 1 : live.size();
    if (joining && workers > maxWorkers) {
      return Grant.REFUSED;
    }
    // A node joining holds what it reports in flight: nothing, unless it lost its place (missed its renewals) and
    // comes back with fetches still running.
    Worker current = joining ? new Worker(owner, inFlight, hostInFlight) : live.get(index);
    int othersConcurrency = live.stream().mapToInt(Worker::concurrency).sum() - (joining ? 0 : current.concurrency());
    int othersPerHost = live.stream().mapToInt(Worker::perHost).sum() - (joining ? 0 : current.perHost());
    int fairConcurrency = fair(concurrencyLimit, workers, index);
    int fairPerHost = fair(perHostLimit, workers, index);
    return new Grant(
        next(current.concurrency(), fairConcurrency, inFlight, concurrencyLimit - othersConcurrency),
        next(current.perHost(), fairPerHost, hostInFlight, perHostLimit - othersPerHost),
        fairConcurrency, fairPerHost, workers);
  }

  static int fair(int limit, int workers, int rank) {
    return limit / workers + (rank < limit % workers ? 1 : 0);
  }

  /** Shrinking, never below what is still in flight; growing, only into what the others do not hold. */
  private static int next(int granted, int fair, int inUse, int free) {
    if (fair <= granted) {
      return Math.min(granted, Math.max(fair, inUse));
    }
    return Math.max(granted, Math.min(fair, free));
  }
}
