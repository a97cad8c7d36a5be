package dev.fetchbus.verticles.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostLiteralTest {

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1, 127.0.0.1", "127.0.0.1., 127.0.0.1", "2130706433, 127.0.0.1", "0x7f000001, 127.0.0.1",
      "0X7F000001, 127.0.0.1", "017700000001, 127.0.0.1", "127.1, 127.0.0.1", "0177.0.0.1, 127.0.0.1",
      "0x7f.0.0.1, 127.0.0.1", "127.0.1, 127.0.0.1", "10.1, 10.0.0.1", "0, 0.0.0.0", "0x, 0.0.0.0",
      "169.254.43518, 169.254.169.254", "4294967295, 255.255.255.255", "[::1], ::1", "[fe80::1%25eth0], fe80::1",
      "[::ffff:127.0.0.1], 127.0.0.1", "[2606:4700::1111], 2606:4700::1111"})
  void readsEveryLiteralFormAsTheResolverDoes(String host, String address) throws Exception {
    assertThat(HostLiteral.address(host)).contains(InetAddress.getByName(address));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "hooks.example.org", "1e100", "a.0x1g", "127.0.0.1.example", "xn--bcher-kva.ch", "1.2.-3", "0x-1"})
  void aHostNameIsNoLiteral(String host) {
    assertThat(HostLiteral.address(host)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3.4.5", "256.0.0.1", "1.2.3.256", "4294967296", "1.16777216", "09.0.0.1", "1..2",
      "a.1", "0x1g.1", "+1.2", "[::1::2]", "[1.2.3.4]", "[zz::1]"})
  void aHostThatLooksLikeAnAddressButIsNotOneIsRefused(String host) {
    assertThatThrownBy(() -> HostLiteral.address(host)).isInstanceOf(IllegalArgumentException.class);
  }
}
