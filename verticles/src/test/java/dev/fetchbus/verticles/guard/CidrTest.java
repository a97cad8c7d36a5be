package dev.fetchbus.verticles.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
  @Test
  void matchesAddressesInsideTheRangeOnly() throws Exception {
    Cidr loopback = Cidr.parse("127.0.0.0/8");
    assertThat(loopback.contains(InetAddress.getByName("127.1.2.3"))).isTrue();
    assertThat(loopback.contains(InetAddress.getByName("128.0.0.1"))).isFalse();
    assertThat(loopback.contains(InetAddress.getByName("::1"))).isFalse();
    Cidr odd = Cidr.parse("10.0.0.0/9");
    assertThat(odd.contains(InetAddress.getByName("10.127.255.255"))).isTrue();
    assertThat(odd.contains(InetAddress.getByName("10.128.0.0"))).isFalse();
    assertThat(Cidr.parse("fd00::/8").contains(InetAddress.getByName("fd12::1"))).isTrue();
    assertThat(Cidr.parse("::1").contains(InetAddress.getByName("::1"))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "localhost", "cafe", "dead/8", "10.0.0.0/33", "10.0.0.0/x", "example.com/8", "1.2.3.4/-1"})
  void refusesWhatIsNotARange(String text) {
    assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
