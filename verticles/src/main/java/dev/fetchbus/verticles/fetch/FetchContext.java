package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.guard.AddressGuard;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.nio.file.Path;

/**
 * What every attempt of one job run shares: the pooled client, the address guard, the run's resolver cache, the
 * retry policy, where mirror files go ({@code mirrorDir} absolute, {@code mirrorPrefix} as results report it;
 * both null unless the job mirrors) and who hears of mirror files that could not be stored.
 */
record FetchContext(Vertx vertx, HttpClient client, AddressGuard guard, HostResolver resolver, RetryPolicy retry,
                    String userAgent, Path mirrorDir, String mirrorPrefix, Handler<Throwable> storageFailures) {
}
