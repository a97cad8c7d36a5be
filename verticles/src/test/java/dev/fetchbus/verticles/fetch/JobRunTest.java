package dev.fetchbus.verticles.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobRunTest {
  @Test
  void hostsAreCountedBySchemeAndAuthority() {
    assertThat(JobRun.hostOf("http://Example.org/a?b")).isEqualTo("http://example.org");
    assertThat(JobRun.hostOf("https://example.org:8443")).isEqualTo("https://example.org:8443");
    assertThat(JobRun.hostOf("http://user:pw@example.org#x")).isEqualTo("http://example.org");
    assertThat(JobRun.hostOf("http://[::1]:8080/x")).isEqualTo("http://[::1]:8080");
    assertThat(JobRun.hostOf("http://a:80/x")).isEqualTo(JobRun.hostOf("http://a/y"));
    assertThat(JobRun.hostOf("https://a:443")).isEqualTo(JobRun.hostOf("https://a/"));
    assertThat(JobRun.hostOf("http://a/")).isNotEqualTo(JobRun.hostOf("https://a/"));
  }
}
