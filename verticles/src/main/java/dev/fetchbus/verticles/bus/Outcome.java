package dev.fetchbus.verticles.bus;

/**
 * How fetching one URL ended: a closed set. {@link #OK} is a 2xx whose body was read whole; everything else is an
 * error class. Documented in README.md and docs/eventbus.yaml.
 */
public enum Outcome {
  OK,
  HTTP_ERROR,
  TIMEOUT_CONNECT,
  TIMEOUT_RESPONSE,
  TIMEOUT_IDLE,
  TIMEOUT_TOTAL,
  TOO_LARGE,
  TOO_MANY_REDIRECTS,
  REFUSED_ADDRESS,
  DNS_ERROR,
  CONNECTION_ERROR,
  TLS_ERROR,
  INVALID_URL,
  CANCELLED,
  /** The body arrived but could not be stored (mirror jobs): a full or failing volume. */
  STORAGE_ERROR;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Outcome fromWire(String s) {
    return valueOf(s.toUpperCase(java.util.Locale.ROOT));
  }
}
