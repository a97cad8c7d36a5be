package dev.fetchbus.verticles.auth;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The rule that a server reachable from other machines must not run without API tokens. */
public final class PublicBind {
  private PublicBind() {
  }

  /** Throws, saying why, when {@code host} is not a loopback address and no token is configured. */
  public static void check(String host, ApiTokens tokens) {
    if (!tokens.required() && !loopback(host)) {
      throw new IllegalStateException("refusing to serve on " + host + " without API tokens: anyone who can reach "
          + "it could submit fetch jobs. Set FETCHBUS_API_TOKENS, or bind to 127.0.0.1 or ::1");
    }
  }

  /**
   * Only literal loopback addresses and {@code localhost} count: any other name is taken as public, since resolving
   * it here would block, and it could resolve elsewhere later.
   */
  static boolean loopback(String host) {
    if ("localhost".equalsIgnoreCase(host)) {
      return true;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
    try {
      return bytes != null && InetAddress.getByAddress(bytes).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
