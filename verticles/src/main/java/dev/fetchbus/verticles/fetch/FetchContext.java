package dev.fetchbus.verticles.fetch;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/**
 * What every attempt of one job run shares: the pooled client, the address guard, the run's resolver cache, the
 * retry policy and where mirror files go ({@code mirrorDir} absolute, {@code mirrorPrefix} as results report it;
 * both null unless the job mirrors).
 */
record FetchContext(Vertx vertx, HttpClient client, AddressGuard guard, HostResolver resolver, RetryPolicy retry,
                    String userAgent, String mirrorDir, String mirrorPrefix) {
}
