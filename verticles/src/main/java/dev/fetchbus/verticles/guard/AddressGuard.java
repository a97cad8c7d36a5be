package dev.fetchbus.verticles.guard;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Decides whether the fetcher (or a callback) may connect to an address. Refused unless allow-listed: loopback,
 * private (RFC 1918, ULA), link-local, CGNAT, multicast, unspecified, broadcast and cloud-metadata addresses, also
 * when written as IPv4-mapped, IPv4-compatible or NAT64 IPv6. It is asked about the address actually connected to,
 * after DNS; job submission also asks it about a callback URL whose host is a literal address ({@link HostLiteral}).
 */
public final class AddressGuard {
  private static final List<Cidr> REFUSED = List.of(
      Cidr.parse("0.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("100.64.0.0/10"), Cidr.parse("127.0.0.0/8"),
      Cidr.parse("169.254.0.0/16"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.0.0.0/24"),
      Cidr.parse("192.168.0.0/16"), Cidr.parse("198.18.0.0/15"), Cidr.parse("224.0.0.0/3"),
      Cidr.parse("::/128"), Cidr.parse("::1/128"), Cidr.parse("fc00::/7"), Cidr.parse("fe80::/10"),
      Cidr.parse("fec0::/10"), Cidr.parse("ff00::/8"));

  private final List<Cidr> allow;

  public AddressGuard(List<Cidr> allow) {
    this.allow = List.copyOf(allow);
  }

  public boolean permits(InetAddress address) {
    InetAddress plain = embeddedIpv4(address);
    for (Cidr range : allow) {
      if (range.contains(address) || range.contains(plain)) {
        return true;
      }
    }
    for (Cidr range : REFUSED) {
      if (range.contains(plain)) {
        return false;
      }
    }
    return true;
  }

  /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) or NAT64 address. */
  static InetAddress embeddedIpv4(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != 16) {
      return address;
    }
    boolean zeros = true;
    for (int i = 0; i < 10; i++) {
      zeros &= a[i] == 0;
    }
    boolean mapped = zeros && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    boolean compatible = zeros && a[10] == 0 && a[11] == 0 && !(a[12] == 0 && a[13] == 0 && a[14] == 0);
    boolean nat64 = (a[0] & 0xff) == 0x00 && (a[1] & 0xff) == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b;
    if (!mapped && !compatible && !nat64) {
      return address;
    }
    try {
      return InetAddress.getByAddress(new byte[] {a[12], a[13], a[14], a[15]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
