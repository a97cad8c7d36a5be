package dev.fetchbus.verticles.fetch;

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

/**
 * POSTs a finished job's summary to the job's callback URL, through the same address guard as fetching: resolved,
 * checked, and connected to exactly the checked address; redirects are not followed. A 2xx is a delivery; the
 * whole exchange is bounded by the callback timeout.
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
    URI uri = URI.create(url);
    boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() < 0 ? (ssl ? 443 : 80) : uri.getPort();
    String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return vertx.executeBlocking(() -> InetAddress.getByName(host), false)
        .compose(address -> guard.permits(address) ? Future.succeededFuture(address)
            : Future.failedFuture("refused address " + address.getHostAddress() + " for " + url))
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
        .compose(status -> status / 100 == 2 ? Future.<Void>succeededFuture()
            : Future.failedFuture("callback answered " + status));
  }
}
