package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.guard.AddressGuard;
import dev.fetchbus.verticles.guard.HostLiteral;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * POSTs a finished job's summary to the job's callback URL, through the same address guard as fetching: resolved
 * (a literal address read by {@link HostLiteral}, as at submission), checked, and connected to exactly the checked
 * address; redirects are not followed. A 2xx is a delivery; the whole exchange is bounded by the callback timeout.
 * A failure that would recur — an invalid URL, a refused address, a redirect, a 4xx other than 408 and 429 — is an
 * {@link OutboxPoller.PermanentFailure}; anything else (DNS, connection, timeout, 408, 429, 5xx) may pass.
 */
final class CallbackSender {
  private final Vertx vertx;
  private final HttpClient client;
  private final AddressGuard guard;
  private final String userAgent;
  private final long timeoutMs;

  CallbackSender(Vertx vertx, HttpClient client, AddressGuard guard, String userAgent, long timeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.guard = guard;
    this.userAgent = userAgent;
    this.timeoutMs = timeoutMs;
  }

  Future<Void> send(String url, JsonObject summary) {
    URI uri;
    Optional<InetAddress> literal;
    try {
      uri = new URI(url);
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("no host");
      }
      literal = HostLiteral.address(uri.getHost());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Future.failedFuture(new OutboxPoller.PermanentFailure("invalid callback URL: " + e.getMessage()));
    }
    boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() < 0 ? (ssl ? 443 : 80) : uri.getPort();
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    Future<InetAddress> resolved = literal.map(Future::succeededFuture)
        .orElseGet(() -> vertx.executeBlocking(() -> InetAddress.getByName(uri.getHost()), false));
    return resolved
        .compose(address -> guard.permits(address) ? Future.succeededFuture(address)
            : Future.failedFuture(new OutboxPoller.PermanentFailure("refused address " + address.getHostAddress()
                + " for " + uri.getHost())))
        .compose(address -> client.request(new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
            .setHost(uri.getHost())
            .setPort(port)
            .setSsl(ssl)
            .setURI(path)
            .setFollowRedirects(false)
            .setConnectTimeout(timeoutMs)
            .setIdleTimeout(timeoutMs)
            .putHeader(HttpHeaders.USER_AGENT, userAgent)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")))
        .compose(request -> {
          // A receiver that answers slowly, or streams forever, must not hold the callback poller.
          long deadline = vertx.setTimer(timeoutMs, t -> request.reset());
          return request.send(summary.toBuffer())
              .compose(response -> {
                response.handler(ignored -> { }); // the answer's body is not wanted: read and drop it
                return response.end().map(response.statusCode());
              })
              .eventually(() -> {
                vertx.cancelTimer(deadline);
                return Future.succeededFuture();
              });
        })
        .compose(CallbackSender::verdict);
  }

  /** A 2xx is a delivery; 408, 429 and 5xx may pass; a redirect (not followed) or another status will not. */
  static Future<Void> verdict(int status) {
    if (status / 100 == 2) {
      return Future.succeededFuture();
    }
    String answered = "callback answered " + status;
    if (status == 408 || status == 429 || status / 100 == 5) {
      return Future.failedFuture(answered);
    }
    return Future.failedFuture(new OutboxPoller.PermanentFailure(
        status / 100 == 3 ? answered + " (redirects are not followed)" : answered));
  }
}
