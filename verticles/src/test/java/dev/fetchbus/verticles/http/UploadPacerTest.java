package dev.fetchbus.verticles.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UploadPacerTest {
  /** Busy at 1,000 requests/s (100 a window); then 1 MB/s for uploads (100,000 bytes a window). */
  private final UploadPacer pacer = new UploadPacer(new JsonObject()
      .put("busyRequestsPerSecond", 1_000).put("busyBytesPerSecond", 1_000_000));

  @Test
  void aQuietLoopLetsUploadsRunFreely() {
    for (int i = 0; i < 99; i++) {
      pacer.request();
    }
    pacer.nextWindow();
    pacer.took(50_000_000);
    assertThat(pacer.exhausted()).isFalse();
  }

  @Test
  void aBusyLoopHoldsUploadsToTheirShareUntilTheNextWindow() {
    for (int i = 0; i < 100; i++) {
      pacer.request();
    }
    pacer.nextWindow();
    pacer.took(99_999);
    assertThat(pacer.exhausted()).isFalse();
    pacer.took(1);
    assertThat(pacer.exhausted()).isTrue();

    AtomicInteger resumed = new AtomicInteger();
    pacer.whenRefilled(v -> resumed.incrementAndGet());
    pacer.whenRefilled(v -> resumed.incrementAndGet());
    for (int i = 0; i < 100; i++) {
      pacer.request();
    }
    pacer.nextWindow();
    assertThat(resumed).hasValue(2);
    assertThat(pacer.exhausted()).isFalse(); // a fresh share

    // The requests stopped: the next window is not busy any more.
    pacer.took(100_000);
    assertThat(pacer.exhausted()).isTrue();
    pacer.nextWindow();
    pacer.took(10_000_000);
    assertThat(pacer.exhausted()).isFalse();
  }

  @Test
  void zeroRequestsPerSecondTurnsPacingOff() {
    UploadPacer off = new UploadPacer(new JsonObject().put("busyRequestsPerSecond", 0).put("busyBytesPerSecond", 1));
    for (int i = 0; i < 10_000; i++) {
      off.request();
    }
    off.nextWindow();
    off.took(1L << 40);
    assertThat(off.exhausted()).isFalse();
  }
}
