package dev.fetchbus.verticles.fetch;

import dev.fetchbus.verticles.bus.Outcome;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Maps what a fetch ended with (a status code or a failure) to its {@link Outcome}. */
public final class OutcomeClassifier {
  private OutcomeClassifier() {
  }

  public static Outcome ofStatus(int status) {
    return status >= 200 && status < 300 ? Outcome.OK : Outcome.HTTP_ERROR;
  }

  public static Outcome ofFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof io.netty.channel.ConnectTimeoutException
          || t instanceof java.net.SocketTimeoutException) {
        return Outcome.TIMEOUT;
      }
      if (t instanceof UnknownHostException) {
        return Outcome.DNS_ERROR;
      }
      if (t instanceof SSLException) {
        return Outcome.TLS_ERROR;
      }
      if (t instanceof MalformedURLException || t instanceof URISyntaxException
          || t instanceof IllegalArgumentException) {
        return Outcome.INVALID_URL;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Outcome.CONNECTION_ERROR;
  }
}
