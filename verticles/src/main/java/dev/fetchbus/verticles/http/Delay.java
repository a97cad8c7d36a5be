package dev.fetchbus.verticles.http;

/** Parses the {@code delay} query parameter: {@code 250}, {@code 250ms} or {@code 2s}, at most {@code maxMs}. */
final class Delay {
  private Delay() {
  }

  static long parseMillis(String text, long maxMs) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    long unit = 1;
    String digits = text;
    if (text.endsWith("ms")) {
      digits = text.substring(0, text.length() - 2);
    } else if (text.endsWith("s")) {
      digits = text.substring(0, text.length() - 1);
      unit = 1000;
    }
    if (digits.isEmpty() || digits.length() > 9 || !allDigits(digits)) {
      throw invalid("delay '" + text + "' is not a duration such as 100ms or 2s");
    }
    long ms = Long.parseLong(digits) * unit;
    if (ms > maxMs) {
      throw invalid("delay '" + text + "' is over the maximum of " + maxMs + " ms");
    }
    return ms;
  }

  /** A loop, not a stream: this runs on every delayed /hello request. */
  private static boolean allDigits(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static Problem.Refused invalid(String detail) {
    return new Problem.Refused(Problem.of(400, "invalid-delay", "Invalid delay", detail));
  }
}
