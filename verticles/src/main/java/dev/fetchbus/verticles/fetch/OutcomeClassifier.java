package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.Outcome;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/** Maps what a request ended with (a status code or a failure) to its {@link Outcome}. */
public final class OutcomeClassifier {
  private OutcomeClassifier() {
  }

  public static Outcome ofStatus(int status) {
    return status >= 200 && status < 300 ? Outcome.OK : Outcome.HTTP_ERROR;
  }

  /** A failure while connecting or exchanging; timeouts Fetchbus enforces itself never reach here. */
  public static Outcome ofFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // Fetchbus times responses, idle bodies and attempts itself; a timeout from Vert.x is the connect timeout.
      if (t instanceof io.netty.channel.ConnectTimeoutException || t instanceof java.net.SocketTimeoutException
          || t instanceof java.util.concurrent.TimeoutException) {
        return Outcome.TIMEOUT_CONNECT;
      }
      if (t instanceof UnknownHostException) {
        return Outcome.DNS_ERROR;
      }
      if (t instanceof SSLException) {
        return Outcome.TLS_ERROR;
      }
    }
    return Outcome.CONNECTION_ERROR;
  }
}
