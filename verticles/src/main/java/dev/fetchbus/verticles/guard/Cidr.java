package dev.fetchbus.verticles.guard;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** An address range such as {@code 127.0.0.0/8} or {@code fd00::/8}, parsed strictly (no host names). */
public record Cidr(byte[] network, int prefix) {

  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String host = slash < 0 ? s : s.substring(0, slash);
    // Numeric literals only: InetAddress.getByName would look up a name such as "cafe" in DNS.
    byte[] address = io.netty.util.NetUtil.createByteArrayFromIpAddressString(host);
    if (address == null) {
      throw new IllegalArgumentException("not a CIDR range: '" + text + "'");
    }
    int bits = address.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a CIDR range: '" + text + "'", e);
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("prefix out of range in '" + text + "'");
    }
    return new Cidr(address, prefix);
  }

  /** Every range of a configured list such as {@code fetch.allow}; the first that is not a range fails. */
  public static List<Cidr> parseAll(Iterable<?> texts) {
    List<Cidr> ranges = new ArrayList<>();
    texts.forEach(text -> ranges.add(parse(String.valueOf(text))));
    return List.copyOf(ranges);
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    int mask = (0xff << (8 - rest)) & 0xff;
    return rest == 0 || (a[full] & mask) == (network[full] & mask);
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
