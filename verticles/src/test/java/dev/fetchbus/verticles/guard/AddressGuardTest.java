package dev.fetchbus.verticles.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressGuardTest {
  private final AddressGuard strict = new AddressGuard(List.of());

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
      "169.254.169.254", "169.254.1.1", "100.64.0.1", "100.127.255.255", "0.0.0.0", "224.0.0.1", "255.255.255.255",
      "::", "::1", "fd00:ec2::254", "fc00::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
      "::127.0.0.1", "64:ff9b::a9fe:a9fe", "0:0:0:0:0:ffff:a00:1"})
  void refusesInternalAddressesInEveryForm(String address) throws Exception {
    assertThat(strict.permits(InetAddress.getByName(address))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111",
      "::ffff:8.8.8.8"})
  void permitsPublicAddresses(String address) throws Exception {
    assertThat(strict.permits(InetAddress.getByName(address))).isTrue();
  }

  @Test
  void theAllowListLiftsTheRefusalForItsRangesOnly() throws Exception {
    AddressGuard guard = new AddressGuard(List.of(Cidr.parse("127.0.0.0/8")));
    assertThat(guard.permits(InetAddress.getByName("127.0.0.1"))).isTrue();
    assertThat(guard.permits(InetAddress.getByName("::ffff:127.0.0.1"))).isTrue();
    assertThat(guard.permits(InetAddress.getByName("::1"))).isFalse();
    assertThat(guard.permits(InetAddress.getByName("169.254.169.254"))).isFalse();
  }
}
