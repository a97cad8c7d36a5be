package dev.fetchbus.verticles.guard;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The address a URL's host names without any lookup, read the way browsers and the C resolver read it: an IPv6
 * address in brackets, or an IPv4 address in any of the forms {@code inet_aton} and the WHATWG URL standard accept —
 * dotted decimal, and also one to four parts, each decimal, hex ({@code 0x7f}) or octal ({@code 0177}), the last
 * filling the remaining bytes ({@code 2130706433}, {@code 0x7f000001}, {@code 127.1} are all 127.0.0.1). Java's own
 * resolver reads some of these differently ({@code 0177.0.0.1} as 177.0.0.1), so whoever checks such a host against
 * the {@link AddressGuard} must read it here.
 */
public final class HostLiteral {
  private static final BigInteger BYTE = BigInteger.valueOf(256);

  private HostLiteral() {
  }

  /**
   * The address {@code host} (as {@link java.net.URI#getHost()} gives it) names, or empty for a host name that needs
   * DNS. A host whose last label is a number is an IPv4 address or nothing: one that is not a valid address (five
   * parts, a part out of range, a bad digit) is an {@link IllegalArgumentException}, as is a bad IPv6 literal.
   */
  public static Optional<InetAddress> address(String host) {
    if (host.startsWith("[") && host.endsWith("]")) {
      return Optional.of(ipv6(host.substring(1, host.length() - 1)));
    }
    if (host.indexOf(':') >= 0) {
      return Optional.of(ipv6(host));
    }
    String trimmed = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    String[] parts = trimmed.split("\\.", -1);
    if (!endsInNumber(parts[parts.length - 1])) {
      return Optional.empty();
    }
    return Optional.of(ipv4(host, parts));
  }

  private static InetAddress ipv6(String text) {
    int zone = text.indexOf('%');
    byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(zone < 0 ? text : text.substring(0, zone));
    if (bytes == null || bytes.length != 16) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
    }
    return byAddress(bytes);
  }

  /** The WHATWG rule: a last label of digits, or one that parses as a (hex) number, makes the host an IPv4 address. */
  private static boolean endsInNumber(String last) {
    return !last.isEmpty() && (last.chars().allMatch(c -> c >= '0' && c <= '9') || number(last) != null);
  }

  private static InetAddress ipv4(String host, String[] parts) {
    if (parts.length > 4) {
      throw new IllegalArgumentException("'" + host + "' is not an IPv4 address: more than four parts");
    }
    BigInteger value = BigInteger.ZERO;
    for (int i = 0; i < parts.length; i++) {
      BigInteger part = number(parts[i]);
      boolean last = i == parts.length - 1;
      BigInteger limit = last ? BYTE.pow(4 - i) : BYTE;
      if (part == null) {
        throw new IllegalArgumentException("'" + host + "' is not an IPv4 address: '" + parts[i] + "' is not a number");
      }
      if (part.compareTo(limit) >= 0) {
        throw new IllegalArgumentException("'" + host + "' is not an IPv4 address: " + parts[i] + " is not below "
            + limit);
      }
      value = last ? value.multiply(BYTE.pow(4 - i)).add(part) : value.multiply(BYTE).add(part);
    }
    long bits = value.longValueExact();
    return byAddress(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
  }

  /** One part: {@code 0x} or {@code 0X} then hex digits (none is 0), {@code 0} then octal digits, else decimal. */
  private static BigInteger number(String part) {
    int radix = 10;
    String digits = part;
    if (part.length() >= 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
      radix = 16;
      digits = part.substring(2);
      if (digits.isEmpty()) {
        return BigInteger.ZERO;
      }
    } else if (part.length() >= 2 && part.startsWith("0")) {
      radix = 8;
      digits = part.substring(1);
    }
    if (digits.isEmpty()) {
      return null;
    }
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c > 127 || Character.digit(c, radix) < 0) {
        return null;
      }
    }
    return new BigInteger(digits, radix);
  }

  private static InetAddress byAddress(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
