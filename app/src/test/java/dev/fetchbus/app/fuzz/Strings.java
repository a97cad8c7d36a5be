package dev.fetchbus.app.fuzz;

import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.arbitraries.StringArbitrary;

/** Strings for the fuzzer: plain, odd (unicode, control characters, lone surrogates), long, and matching a pattern. */
final class Strings {
  /** Repeated to make long strings: two bytes of UTF-8 and one of ASCII. */
  static final String UNIT = "é1";

  /** Pieces of text that trip parsers and encoders up. */
  static final List<String> ODD = List.of("\u0000", "\u0001", "\t", "\n", "\r\n", "\r", "\u007f", "\u0085", "\u00a0",
      "\u00e9", "\u00df", "\u4e2d\u6587", "\ud83d\ude00", "\u202e", "\u0301", "\ufeff", "\uffff", "\ufffd", "\u2028",
      "\ud800", "\udfff", "%", "%00", "%zz", "%2F", "../", "\\", "\"", "'", "<script>", "${x}", "{{x}}", " ", "",
      "\u0130", "\u0131", "\uff21", "\u0661\u0662", "\u1f41");

  private Strings() {
  }

  /** Printable text with some unicode. */
  static StringArbitrary any() {
    return Arbitraries.strings().withCharRange(' ', '~').withChars("\u00e9\u00df\u4e2d\u00fc\u0416");
  }

  /** Text built from odd pieces and plain characters. */
  static Arbitrary<String> odd() {
    return Arbitraries.oneOf(Arbitraries.of(ODD), Arbitraries.strings().alpha().ofMaxLength(3))
        .list().ofMinSize(1).ofMaxSize(8).map(parts -> String.join("", parts));
  }

  /** Text just over {@code max} characters, or far over it. */
  static Arbitrary<String> longer(int max) {
    return Arbitraries.of(max + 1, max + 2, 2 * max + 1).map(n -> "a".repeat(n));
  }

  /** A name for an unknown member: plain, odd, or empty. */
  static Arbitrary<String> fieldName() {
    return Arbitraries.oneOf(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12), odd(),
        Arbitraries.of("", "__proto__", "constructor", "urls ", "URLS", "timeouts.connectMs", "$ref"));
  }

  /**
   * Text matching one of the contract's patterns, between {@code min} and {@code max} characters. A pattern without a
   * generator of its own is met by filtering printable text.
   */
  static Arbitrary<String> matching(String pattern, int min, int max) {
    Pattern compiled = Pattern.compile(pattern);
    return switch (pattern) {
      case "^[!-~]+$" -> Arbitraries.strings().withCharRange('!', '~').ofMinLength(Math.max(min, 1)).ofMaxLength(max);
      // /hello's delay: kept to 20 ms, so valid delays do not slow the run (odd ones test the limit).
      case "^[0-9]+(ms|s)?$" -> Arbitraries.integers().between(0, 20).flatMap(n -> Arbitraries.of(n + "", n + "ms"));
      default -> any().ofMinLength(min).ofMaxLength(max).filter(s -> compiled.matcher(s).matches());
    };
  }
}
