package dev.fetchbus.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The container's health check: exits 0 when /health/ready on this host answers 200, else 1. The runtime image
 * has a JRE but no curl or wget, so the probe is Java: {@code java -cp fetchbus.jar dev.fetchbus.app.HealthProbe}.
 * It reads the port (and a specific bind address) from the same variables as the service: the management port when
 * one is set, else the HTTP port.
 */
public final class HealthProbe {
  private HealthProbe() {
  }

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    // A node with a management port (a fetch-only node has no HTTP server) answers there.
    boolean management = !env.getOrDefault("FETCHBUS_MANAGEMENT_PORT", "0").equals("0");
    String prefix = management ? "FETCHBUS_MANAGEMENT_" : "FETCHBUS_HTTP_";
    String host = env.getOrDefault(prefix + "HOST", "127.0.0.1");
    if (host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    String port = env.getOrDefault(prefix + "PORT", "8080");
    URI uri = URI.create("http://" + host + ":" + port + "/health/ready");
    try {
      HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
          .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build(),
              HttpResponse.BodyHandlers.discarding());
      System.exit(response.statusCode() == 200 ? 0 : 1);
    } catch (Exception e) {
      System.err.println(uri + ": " + e);
      System.exit(1);
    }
  }
}
