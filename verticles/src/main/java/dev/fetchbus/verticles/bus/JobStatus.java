package dev.fetchbus.verticles.bus;

/** A job's lifecycle: queued → running → done | cancelled | failed. */
public enum JobStatus {
  QUEUED,
  RUNNING,
  DONE,
  CANCELLED,
  FAILED;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static JobStatus fromWire(String s) {
    return valueOf(s.toUpperCase(java.util.Locale.ROOT));
  }

  public boolean finished() {
    return this != QUEUED && this != RUNNING;
  }
}
