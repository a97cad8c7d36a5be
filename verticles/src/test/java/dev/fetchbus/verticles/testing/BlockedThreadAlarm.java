package dev.fetchbus.verticles.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes the blocked-thread checker strict: every warning it logs is recorded here, and the test during which it
 * was logged fails. Registered for every test through JUnit's extension auto-detection.
 */
public final class BlockedThreadAlarm extends AppenderBase<ILoggingEvent> {
  private static final List<String> WARNINGS = new ArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    synchronized (WARNINGS) {
      WARNINGS.add(event.getFormattedMessage());
    }
  }

  /** The warnings recorded since the last call; for tests that run outside JUnit Jupiter (jqwik properties). */
  public static List<String> drain() {
    synchronized (WARNINGS) {
      List<String> copy = List.copyOf(WARNINGS);
      WARNINGS.clear();
      return copy;
    }
  }

  /** Fails a test during which an event loop (or worker) was reported blocked. */
  public static final class Extension implements BeforeEachCallback, AfterEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
      drain();
    }

    @Override
    public void afterEach(ExtensionContext context) {
      List<String> warnings = drain();
      if (!warnings.isEmpty()) {
        throw new AssertionError("a Vert.x thread was blocked during this test: " + warnings);
      }
    }
  }
}
