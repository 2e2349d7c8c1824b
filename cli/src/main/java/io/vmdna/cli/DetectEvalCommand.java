package io.vmdna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmdna.models.VmSample;
import io.vmdna.models.anomaly.AnomalyEnsemble;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.TraceFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./vmdna detect-eval}: a repeatable evaluation of {@link AnomalyEnsemble} on the CPU %
 * series of a folder of traces. Each series is scored once per case (scores do not depend on the
 * threshold), then every threshold of a grid is read off the stored scores:
 *
 * <ul>
 *   <li>false alarms per VM-week on the unmodified series: alarm <em>episodes</em>, an alarm row
 *       with no alarm row in the hour before it (a flickering alarm is one event to an operator);
 *   <li>recall per injected anomaly, one injection per VM and kind, at a seeded random time after
 *       the first eight days: a level shift of +30 points for 2 h, a single-sample spike to 100, a
 *       drift to +20 points over 24 h, a daily pattern moved by 6 hours for a day. An injection is
 *       caught when an alarm comes between its start and 1 h after it is fully present (its start;
 *       for the drift, the end of its 24 h ramp);
 *   <li>beside each recall, the chance of an alarm in the same windows of the unmodified series
 *       (what a detector that ignored the injection would "catch").
 * </ul>
 *
 * The threshold is calibrated on {@code --calibrate} (never the evaluation folder): the smallest of
 * the grid with at most one false alarm episode per VM-week there, else the strictest. Values are
 * capped at 100. Writes {@code report.json} with the whole grid. Same seed, same result.
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
  private static final double[] THRESHOLDS = {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};

  /** Injected anomaly kinds. */
  enum Kind {
    LEVEL_SHIFT,
    SPIKE,
    DRIFT,
    DAILY_PATTERN
  }

  /**
   * The figures at one threshold.
   *
   * @param threshold the alarm threshold
   * @param calibrationFalseAlarmsPerVmWeek false alarm episodes per VM-week on the calibration
   *     folder
   * @param falseAlarmsPerVmWeek false alarm episodes per VM-week on the evaluation folder
   * @param recall per kind, the share of injections caught
   * @param chance per kind, the share of the same windows with an alarm on the unmodified series
   */
  public record Row(
      double threshold,
      double calibrationFalseAlarmsPerVmWeek,
      double falseAlarmsPerVmWeek,
      Map<String, Double> recall,
      Map<String, Double> chance) {}

  /**
   * The figures.
   *
   * @param threshold the chosen (calibrated or given) threshold
   * @param calibrationFalseAlarmsPerVmWeek at that threshold, on the calibration folder
   * @param falseAlarmsPerVmWeek at that threshold, on the evaluation folder
   * @param recall at that threshold, per kind
   * @param chance at that threshold, per kind
   * @param vms VMs evaluated
   * @param grid every threshold tried
   */
  public record Result(
      double threshold,
      double calibrationFalseAlarmsPerVmWeek,
      double falseAlarmsPerVmWeek,
      Map<String, Double> recall,
      Map<String, Double> chance,
      int vms,
      List<Row> grid) {}

  /** Runs. */
  public Result run(PrintStream out) throws IOException {
    List<Series> cal = read(calibrate, out);
    List<Series> eval = read(traces, out);
    if (cal.isEmpty() || eval.isEmpty()) {
      throw new IllegalArgumentException(
          "detect-eval needs traces longer than %d days in %s and %s"
              .formatted(10, calibrate, traces));
    }
    out.printf("  scoring %d + %d series, %d injections each...%n", cal.size(), eval.size(), 4);
    List<float[]> calScores = cal.parallelStream().map(s -> scores(s.ts, s.cpu)).toList();
    List<float[]> evalScores = eval.parallelStream().map(s -> scores(s.ts, s.cpu)).toList();
    Random rnd = new Random(seed);
    List<Injection> injections = new ArrayList<>();
    for (int v = 0; v < eval.size(); v++) {
      for (Kind k : Kind.values()) {
        int n = eval.get(v).cpu.length;
        int start = 8 * DAY + rnd.nextInt(Math.max(1, n - 8 * DAY - 2 * DAY));
        injections.add(new Injection(v, k, start));
      }
    }
    List<double[]> peaks =
        injections.parallelStream()
            .map(
                in -> {
                  Series s = eval.get(in.vm);
                  int to = in.fullAt() + WITHIN;
                  double[] x = inject(s.cpu, in.kind, in.start);
                  float[] injected = scores(s.ts, Arrays.copyOf(x, Math.min(x.length, to + 1)));
                  return new double[] {
                    max(injected, in.start, to), max(evalScores.get(in.vm), in.start, to)
                  };
                })
            .toList();
    double[] grid = Double.isNaN(threshold) ? THRESHOLDS : new double[] {threshold};
    List<Row> rows = new ArrayList<>();
    Row chosen = null;
    for (double t : grid) {
      Map<String, Double> recall = new LinkedHashMap<>();
      Map<String, Double> chance = new LinkedHashMap<>();
      for (Kind k : Kind.values()) {
        int n = 0;
        int caught = 0;
        int byChance = 0;
        for (int i = 0; i < injections.size(); i++) {
          if (injections.get(i).kind == k) {
            n++;
            caught += peaks.get(i)[0] >= t ? 1 : 0;
            byChance += peaks.get(i)[1] >= t ? 1 : 0;
          }
        }
        recall.put(k.name().toLowerCase(Locale.ROOT), (double) caught / n);
        chance.put(k.name().toLowerCase(Locale.ROOT), (double) byChance / n);
      }
      Row row =
          new Row(
              t, episodesPerVmWeek(calScores, t), episodesPerVmWeek(evalScores, t), recall, chance);
      rows.add(row);
      out.printf(
          Locale.ROOT,
          "  threshold %.2f: false alarms / VM-week %.2f (%s) / %.2f (%s), recall %s, chance %s%n",
          t,
          row.calibrationFalseAlarmsPerVmWeek(),
          calibrate.getFileName(),
          row.falseAlarmsPerVmWeek(),
          traces.getFileName(),
          recall,
          chance);
      if (chosen == null && row.calibrationFalseAlarmsPerVmWeek() <= 1) {
        chosen = row;
      }
    }
    if (chosen == null) {
      chosen = rows.get(rows.size() - 1); // the strictest, reported with its false alarms
    }
    Result r =
        new Result(
            chosen.threshold(),
            chosen.calibrationFalseAlarmsPerVmWeek(),
            chosen.falseAlarmsPerVmWeek(),
            chosen.recall(),
            chosen.chance(),
            eval.size(),
            rows);
    out.printf(
        Locale.ROOT,
        "detect-eval: threshold %.2f (calibrated on %s: %.2f false alarms / VM-week); on %s (%d VMs):"
            + " %.2f false alarms / VM-week, recall within 1 h %s (by chance %s)%n",
        r.threshold(),
        calibrate,
        r.calibrationFalseAlarmsPerVmWeek(),
        traces,
        r.vms(),
        r.falseAlarmsPerVmWeek(),
        r.recall(),
        r.chance());
    Files.createDirectories(output);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(output.resolve("report.json").toFile(), r);
    return r;
  }

  private record Injection(int vm, Kind kind, int start) {
    int fullAt() {
      return kind == Kind.DRIFT ? start + DAY - 1 : start;
    }
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

  /** The ensemble's score of every row of a CPU series (threshold-independent). */
  static float[] scores(long[] ts, double[] x) {
    AnomalyEnsemble d = new AnomalyEnsemble(AnomalyEnsemble.Config.defaults(), List.of("cpu_pct"));
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) d.update(ts[i], x[i]).score();
    }
    return out;
  }

  private static double max(float[] v, int from, int to) {
    double m = 0;
    for (int i = from; i <= to && i < v.length; i++) {
      m = Math.max(m, v[i]);
    }
    return m;
  }

  /** Alarm episodes (an alarm row with none in the hour before it) per VM-week after warm-up. */
  static double episodesPerVmWeek(List<float[]> scores, double threshold) {
    long episodes = 0;
    double weeks = 0;
    int warmUp = AnomalyEnsemble.Config.defaults().warmUpRows();
    for (float[] s : scores) {
      int last = Integer.MIN_VALUE / 2;
      for (int i = 0; i < s.length; i++) {
        if (s[i] >= threshold) {
          episodes += i - last > WITHIN ? 1 : 0;
          last = i;
        }
      }
      weeks += Math.max(0, s.length - warmUp) / (7.0 * DAY);
    }
    return episodes / weeks;
  }
}
