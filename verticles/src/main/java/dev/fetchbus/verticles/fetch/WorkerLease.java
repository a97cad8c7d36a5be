package dev.fetchbus.verticles.fetch;

/**
 * This fetch node's claim on the jobs it works on: {@code owner}, unique per start, holds its places and chunk
 * leases; {@code node} names it to people (pid@host). Leases last {@code leaseMs} and are renewed every
 * {@code renewMs}, so a node that misses a few renewals in a row loses them to the others.
 */
record WorkerLease(String owner, String node, long leaseMs, long renewMs) {
}
