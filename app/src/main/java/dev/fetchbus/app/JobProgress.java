package dev.fetchbus.app;

import dev.fetchbus.verticles.bus.JobStatus;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
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
    ProgressBar bar = quiet || !terminal ? null : new ProgressBarBuilder().setTaskName("fetch").setInitialMax(total)
        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(250).setUnit(" URLs", 1)
        .showSpeed().setConsumer(new ConsoleProgressBarConsumer(stderr)).build();
    long lastLine = 0;
    JsonObject view;
    try {
      while (true) {
        view = read.call();
        double seconds = Math.max((System.nanoTime() - started) / 1e9, 1e-3);
        String counts = "ok " + view.getInteger("succeeded") + ", failed " + view.getInteger("failed") + ", "
            + bytes(view.getLong("bytes", 0L)) + " at " + bytes((long) (view.getLong("bytes", 0L) / seconds)) + "/s";
        if (bar != null) {
          bar.stepTo(view.getInteger("completed"));
          bar.setExtraMessage("  " + counts);
        } else if (!quiet && System.nanoTime() - lastLine > PLAIN_EVERY_MS * 1_000_000) {
          lastLine = System.nanoTime();
          stderr.printf("%d/%d done, %s, %.0f URLs/s%n", view.getInteger("completed"), total, counts,
              view.getInteger("completed") / seconds);
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
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
