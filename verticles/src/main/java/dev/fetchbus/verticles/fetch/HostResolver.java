package dev.fetchbus.verticles.fetch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves host names for one job run, once each (failures are not remembered). The system resolver blocks, so lookups run on worker threads;
 * literal addresses resolve without a lookup. The address returned is the one the fetcher checks and connects to.
 */
final class HostResolver {
  private static final int MAX_CACHED = 10_000;

  private final Vertx vertx;
  private final Map<String, Future<InetAddress>> cache = new HashMap<>();

  HostResolver(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<InetAddress> resolve(String host) {
    Future<InetAddress> known = cache.get(host);
    if (known != null) {
      return known;
    }
    Future<InetAddress> lookup = vertx.executeBlocking(() -> InetAddress.getByName(host), false);
    if (cache.size() < MAX_CACHED) {
      cache.put(host, lookup);
      // A failed lookup may be transient: the next URL on that host asks again.
      lookup.onFailure(err -> cache.remove(host, lookup));
    }
    return lookup;
  }
}
