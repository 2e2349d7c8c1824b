package io.vmdna.cli;

import io.vmdna.models.trace.BitbrainsTraceReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongToDoubleFunction;

/** Writes hand-built traces in the Bitbrains format (5-minute samples) for simulator tests. */
final class SimTraces {
  /** 2013-08-01T00:00:00Z, a Thursday. */
  static final long AUG_1 = 1375315200L;

  static final long STEP_S = 300;
  static final long DAY_S = 86400;

  private SimTraces() {}

  /**
   * Writes {@code <dir>/<vm>.csv}.
   *
   * @param cores vCPUs (2600 MHz each)
   * @param memProvKb provisioned memory, KiB
   * @param memUsedKb memory in use, KiB
   * @param fromS first sample, epoch seconds
   * @param toS end (exclusive), epoch seconds
   * @param cpuPct CPU % of provisioned at each timestamp
   */
  static Path write(
      Path dir,
      String vm,
      int cores,
      double memProvKb,
      double memUsedKb,
      long fromS,
      long toS,
      LongToDoubleFunction cpuPct) {
    double prov = cores * 2600.0;
    List<String> lines = new ArrayList<>();
    lines.add(String.join(";\t", BitbrainsTraceReader.COLUMNS));
    for (long t = fromS; t < toS; t += STEP_S) {
      double pct = cpuPct.applyAsDouble(t);
      lines.add(
          String.format(
              Locale.ROOT,
              "%d;\t%d;\t%.1f;\t%.3f;\t%.3f;\t%.1f;\t%.1f;\t1.0;\t2.0;\t3.0;\t4.0",
              t,
              cores,
              prov,
              pct / 100 * prov,
              pct,
              memProvKb,
              memUsedKb));
    }
    try {
      Files.createDirectories(dir);
      return Files.write(dir.resolve(vm + ".csv"), lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Seconds since midnight UTC. */
  static long timeOfDay(long t) {
    return Math.floorMod(t, DAY_S);
  }

  /** A small deterministic wiggle in [-1, 1] so series are not perfectly flat. */
  static double wiggle(long t) {
    return Math.sin(t / 1800.0) * 0.5 + Math.sin(t / 7100.0) * 0.5;
  }
}
