package io.vmdna.cli;

import io.vmdna.models.predict.ForecastTrainer;
import java.io.PrintStream;

/**
 * A text progress bar for long commands: one line per step, with the share done and the time so far
 * (lines, not carriage returns, so logs and CI output keep every step). Not thread-safe.
 */
final class ProgressBar implements ForecastTrainer.Progress {
  private static final int WIDTH = 24;
  private final PrintStream out;
  private final long t0 = System.nanoTime();

  ProgressBar(PrintStream out) {
    this.out = out;
  }

  @Override
  public void update(int done, int total, String what) {
    int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
    out.printf(
        "  [%s%s] %3d%% %d/%d  %5.0f s  %s%n",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        total == 0 ? 100 : 100 * done / total,
        done,
        total,
        (System.nanoTime() - t0) / 1e9,
        what);
    out.flush();
  }
}
