package io.vmdna.models.predict;

import io.vmdna.models.VmSample;
import io.vmdna.models.trace.BitbrainsTraceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Test traces with a known shape: a daily wave, noise, and a daily burst above 80 % starting at
 * {@link #BURST_HOUR} for an hour, so a forecaster with a memory of yesterday can warn of it.
 */
public final class SyntheticTraces {
  static final long START = 1_372_636_800L; // 2013-07-01 00:00 UTC
  static final int BURST_HOUR = 14;

  private SyntheticTraces() {}

  static List<VmSample> series(String vm, int days, long seed) {
    Random r = new Random(seed);
    List<VmSample> out = new ArrayList<>();
    double level = 20 + r.nextInt(20);
    for (int i = 0; i < days * 288; i++) {
      long ts = START + i * 300L;
      int minuteOfDay = (int) ((ts % 86_400) / 60);
      double wave = 10 * Math.sin(2 * Math.PI * minuteOfDay / 1440.0);
      boolean burst = minuteOfDay >= BURST_HOUR * 60 && minuteOfDay < BURST_HOUR * 60 + 60;
      double cpu =
          Math.max(0, Math.min(100, level + wave + r.nextGaussian() * 2 + (burst ? 60 : 0)));
      out.add(
          new VmSample(
              vm,
              "",
              ts,
              4,
              10_000,
              cpu * 100,
              cpu,
              8_388_608,
              2_000_000 + 1000 * (i % 288),
              10,
              20,
              100 + cpu,
              50));
    }
    return out;
  }

  /** Writes {@code vms} traces of {@code days} days into {@code dir} in the Bitbrains format. */
  public static void write(Path dir, int vms, int days, long seed) throws IOException {
    Files.createDirectories(dir);
    for (int v = 0; v < vms; v++) {
      StringBuilder b = new StringBuilder(String.join(";\t", BitbrainsTraceReader.COLUMNS));
      b.append('\n');
      for (VmSample s : series(String.valueOf(v + 1), days, seed + v)) {
        b.append(
            String.format(
                Locale.ROOT,
                "%d;\t%d;\t%.4f;\t%.4f;\t%.4f;\t%.1f;\t%.1f;\t%.3f;\t%.3f;\t%.3f;\t%.3f%n",
                s.timestampS(),
                s.cpuCores(),
                s.cpuProvisionedMhz(),
                s.cpuUsageMhz(),
                s.cpuUsagePct(),
                s.memProvisionedKb(),
                s.memUsageKb(),
                s.diskReadKbps(),
                s.diskWriteKbps(),
                s.netRxKbps(),
                s.netTxKbps()));
      }
      Files.writeString(dir.resolve((v + 1) + ".csv"), b);
    }
  }
}
