package dev.fetchbus.app;

import dev.fetchbus.verticles.bus.JobStatus;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A job's progress on a terminal or in a log, for {@code fetch}, {@code submit --wait} and {@code watch}. */
final class JobProgress {
  private static final long POLL_MS = 500;
  private static final long PLAIN_EVERY_MS = 2_000;

  private JobProgress() {
  }

  /**
   * Reads the job until it has ended, drawing progress on {@code stderr}: a bar on a terminal, a line every 2 s
   * otherwise, nothing when {@code quiet}; returns the ended job.
   */
  static JsonObject follow(Callable<JsonObject> read, int total, boolean quiet, PrintStream stderr) throws Exception {
    long started = System.nanoTime();
    boolean terminal = System.console() != null;
    // The counts go in the bar's extra message, kept short: on an 80-column terminal a long line leaves no bar.
    ProgressBar bar = quiet || !terminal ? null : new ProgressBarBuilder().setTaskName("fetch").setInitialMax(total)
        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(250)
        .setConsumer(new ConsoleProgressBarConsumer(stderr)).build();
    long lastLine = 0;
    JsonObject view;
    // Rates count what was done while this follows the job, not what a resumed job had done before.
    int completedBefore = -1;
    long bytesBefore = 0;
    try {
      while (true) {
        view = read.call();
        double seconds = Math.max((System.nanoTime() - started) / 1e9, 1e-3);
        int completed = view.getInteger("completed");
        if (completedBefore < 0) {
          completedBefore = completed;
          bytesBefore = view.getLong("bytes", 0L);
        }
        double perSecond = (completed - completedBefore) / seconds;
        long bytesPerSecond = (long) ((view.getLong("bytes", 0L) - bytesBefore) / seconds);
        if (bar != null) {
          bar.stepTo(completed);
          bar.setExtraMessage(String.format(Locale.ROOT, " %.0f/s \u2713%d \u2717%d %s/s", perSecond,
              view.getInteger("succeeded"), view.getInteger("failed"), bytes(bytesPerSecond)));
        } else if (!quiet && System.nanoTime() - lastLine > PLAIN_EVERY_MS * 1_000_000) {
          lastLine = System.nanoTime();
          stderr.printf(Locale.ROOT, "%d/%d done, ok %d, failed %d, %s at %s/s, %.0f URLs/s%n", completed, total,
              view.getInteger("succeeded"), view.getInteger("failed"), bytes(view.getLong("bytes", 0L)),
              bytes(bytesPerSecond), perSecond);
        }
        if (JobStatus.fromWire(view.getString("status")).finished()) {
          return view;
        }
        Thread.sleep(POLL_MS);
      }
    } finally {
      if (bar != null) {
        bar.close();
      }
    }
  }

  /** Bytes as people read them: B, KiB, MiB or GiB with one decimal. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = n;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
