package dev.fetchbus.verticles.bus;

/** How fetching one URL ended. {@link #OK} is a 2xx whose body was read whole; everything else is an error class. */
public enum Outcome {
  OK,
  HTTP_ERROR,
  TIMEOUT,
  CONNECTION_ERROR,
  DNS_ERROR,
  TLS_ERROR,
  INVALID_URL;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Outcome fromWire(String s) {
    return valueOf(s.toUpperCase(java.util.Locale.ROOT));
  }
}
