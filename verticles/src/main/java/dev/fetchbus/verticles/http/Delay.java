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
    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw invalid("delay '" + text + "' is not a duration such as 100ms or 2s");
    }
    long ms = Long.parseLong(digits) * unit;
    if (ms > maxMs) {
      throw invalid("delay '" + text + "' is over the maximum of " + maxMs + " ms");
    }
    return ms;
  }

  private static Problem.InvalidRequest invalid(String detail) {
    return new Problem.InvalidRequest(Problem.of(400, "invalid-delay", "Invalid delay", detail));
  }
}
