package io.vmdna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmdna.models.VmSample;
import io.vmdna.models.anomaly.SeriesAnomalyDetector;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.TraceFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./vmdna detect-eval}: a repeatable evaluation of {@link SeriesAnomalyDetector} on the CPU
 * % series of a folder of traces. First it calibrates the alarm threshold on the unmodified series
 * of {@code --calibrate} (the smallest threshold with at most one false alarm per VM-week there),
 * then, on {@code --traces}:
 *
 * <ul>
 *   <li>false alarms per VM-week on the unmodified series (an alarm = a row that alarms after one
 *       that did not, after the warm-up);
 *   <li>recall per injected anomaly, one injection per VM and kind, at a seeded random time after
 *       the first eight days: a level shift of +30 points for 2 h, a single-sample spike to 100, a
 *       drift to +20 points over 24 h, a daily pattern moved by 6 hours for a day. An injection is
 *       caught when an alarm comes within 1 h of the anomaly being fully present: of its start
 *       (shift, spike, changed pattern) or of the drift reaching +20.
 * </ul>
 *
 * Values are capped at 100. Writes {@code report.json}. Stateless between runs; same seed, same
 * result.
 *
 * @param traces folder of traces to evaluate on
 * @param calibrate folder of traces to calibrate on (never the evaluation folder)
 * @param threshold a fixed alarm threshold to evaluate; NaN to calibrate one
 * @param seed injection times
 * @param output folder for {@code report.json}
 */
public record DetectEvalCommand(
    Path traces, Path calibrate, double threshold, long seed, Path output) {
  private static final int WITHIN = 12;
  private static final int DAY = 288;
  private static final double[] THRESHOLDS = {0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999};

  /** Injected anomaly kinds. */
  enum Kind {
    LEVEL_SHIFT,
    SPIKE,
    DRIFT,
    DAILY_PATTERN
  }

  /** The figures. */
  public record Result(
      double threshold,
      double calibrationFalseAlarmsPerVmWeek,
      double falseAlarmsPerVmWeek,
      Map<String, Double> recall,
      int vms) {}

  /** Runs. */
  public Result run(PrintStream out) throws IOException {
    List<Series> cal = read(calibrate, out);
    List<Series> eval = read(traces, out);
    if (cal.isEmpty() || eval.isEmpty()) {
      throw new IllegalArgumentException(
          "detect-eval needs traces longer than %d days in %s and %s"
              .formatted(10, calibrate, traces));
    }
    double chosen = THRESHOLDS[THRESHOLDS.length - 1];
    double calFa = Double.NaN;
    double[] grid = Double.isNaN(threshold) ? THRESHOLDS : new double[] {threshold};
    for (double t : grid) {
      double fa = falseAlarmsPerVmWeek(cal, t);
      calFa = fa;
      chosen = t;
      out.printf("  calibrate: threshold %.3f -> %.2f false alarms / VM-week%n", t, fa);
      if (fa <= 1) {
        break; // else the strictest threshold of the grid, reported with its false alarms
      }
    }
    double fa = falseAlarmsPerVmWeek(eval, chosen);
    Map<String, Double> recall = new LinkedHashMap<>();
    Random rnd = new Random(seed);
    Map<Kind, int[]> counts = new LinkedHashMap<>();
    for (Kind k : Kind.values()) {
      counts.put(k, new int[2]);
    }
    for (Series s : eval) {
      for (Kind k : Kind.values()) {
        int n = s.cpu.length;
        int start = 8 * DAY + rnd.nextInt(Math.max(1, n - 8 * DAY - 2 * DAY));
        double[] x = inject(s.cpu, k, start);
        int fullAt = k == Kind.DRIFT ? start + DAY - 1 : start;
        boolean caught = alarmsBetween(s.ts, x, chosen, fullAt, fullAt + WITHIN);
        counts.get(k)[0]++;
        counts.get(k)[1] += caught ? 1 : 0;
      }
    }
    counts.forEach((k, c) -> recall.put(k.name().toLowerCase(), (double) c[1] / c[0]));
    Result r = new Result(chosen, calFa, fa, recall, eval.size());
    out.printf(
        "detect-eval: threshold %.3f (calibrated on %s: %.2f false alarms / VM-week); on %s (%d VMs):"
            + " %.2f false alarms / VM-week, recall within 1 h %s%n",
        chosen, calibrate, calFa, traces, eval.size(), fa, recall);
    Files.createDirectories(output);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(output.resolve("report.json").toFile(), r);
    return r;
  }

  private record Series(String vm, long[] ts, double[] cpu) {}

  private static List<Series> read(Path dir, PrintStream out) {
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    List<Series> list = new ArrayList<>();
    for (Path f : BitbrainsTraceReader.listTraceFiles(dir)) {
      try {
        List<VmSample> s = reader.read(f).samples();
        if (s.size() < 10 * DAY) {
          continue;
        }
        long[] ts = s.stream().mapToLong(VmSample::timestampS).toArray();
        double[] cpu = s.stream().mapToDouble(VmSample::cpuUsagePct).toArray();
        list.add(new Series(BitbrainsTraceReader.vmIdOf(f), ts, cpu));
      } catch (TraceFormatException e) {
        out.println("  skipped: " + e.getMessage());
      }
    }
    return list;
  }

  static double[] inject(double[] cpu, Kind kind, int start) {
    double[] x = cpu.clone();
    switch (kind) {
      case LEVEL_SHIFT -> {
        for (int i = start; i < Math.min(x.length, start + 24); i++) {
          x[i] = Math.min(100, x[i] + 30);
        }
      }
      case SPIKE -> x[start] = 100;
      case DRIFT -> {
        for (int i = start; i < x.length; i++) {
          x[i] = Math.min(100, x[i] + 20.0 * Math.min(1, (i - start + 1) / (double) DAY));
        }
      }
      case DAILY_PATTERN -> {
        for (int i = start; i < Math.min(x.length, start + DAY); i++) {
          x[i] = cpu[i - 72];
        }
      }
    }
    return x;
  }

  private static boolean alarmsBetween(long[] ts, double[] x, double threshold, int from, int to) {
    SeriesAnomalyDetector d =
        new SeriesAnomalyDetector(SeriesAnomalyDetector.Config.defaults().withThreshold(threshold));
    for (int i = 0; i < x.length && i <= to; i++) {
      boolean alarm = d.update(ts[i], x[i]).alarm();
      if (alarm && i >= from) {
        return true;
      }
    }
    return false;
  }

  private static double falseAlarmsPerVmWeek(List<Series> series, double threshold) {
    long alarms = 0;
    double weeks = 0;
    SeriesAnomalyDetector.Config c =
        SeriesAnomalyDetector.Config.defaults().withThreshold(threshold);
    for (Series s : series) {
      SeriesAnomalyDetector d = new SeriesAnomalyDetector(c);
      boolean prev = false;
      for (int i = 0; i < s.cpu.length; i++) {
        boolean alarm = d.update(s.ts[i], s.cpu[i]).alarm();
        alarms += alarm && !prev ? 1 : 0;
        prev = alarm;
      }
      weeks += Math.max(0, s.cpu.length - c.warmUp()) / (7.0 * DAY);
    }
    return alarms / weeks;
  }
}
