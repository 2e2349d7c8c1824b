package io.vmdna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmdna.models.eval.CpuForecaster;
import io.vmdna.models.eval.ForecastEvaluation;
import io.vmdna.models.predict.ForecastModel;
import io.vmdna.models.predict.ReliabilityTable;
import io.vmdna.models.predict.SeriesArrays;
import io.vmdna.models.predict.Target;
import io.vmdna.models.predict.TargetScore;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.TraceFormatException;
import io.vmdna.models.trace.VmTrace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./vmdna evaluate}: walks forward through every trace in a folder and reports, per horizon
 * (15, 30, 60 minutes), the XGBoost model beside the persistence and seasonal-naive baselines (and
 * the backbone's trend rule) on the same samples ({@link ForecastEvaluation}). Writes {@code
 * report.json}, {@code table.md} (the README table), the reliability diagram of pExceed per horizon
 * and forecast-vs-actual plots for the three VMs with the most onsets. Files that are not Bitbrains
 * traces are skipped and named.
 *
 * @param traces folder of {@code .csv} / {@code .csv.gz} traces
 * @param model a model folder, {@code shipped} (the model in the jar) or {@code none} (baselines
 *     only)
 * @param fromFraction where scoring starts in each series
 * @param output folder for the report
 */
public record EvaluateCommand(Path traces, String model, double fromFraction, Path output) {
  private static final int[] HORIZONS = {3, 6, 12};
  private static final double THRESHOLD = 80;
  private static final String MODEL_NAME = "xgboost";
  private static final int PLOTTED_VMS = 3;
  private static final int PLOT_HORIZON = 6;
  private static final int DAY = 288;

  /** A VM's model forecasts at the plotted horizon, kept for the plots. */
  private record Sample(
      String vm, long onsets, double[] actual, ForecastModel.SeriesForecast f, boolean[] warned) {}

  /** Runs the evaluation; returns the scores by horizon and forecaster. */
  public Map<Integer, Map<String, ForecastEvaluation.Score>> run(PrintStream out)
      throws IOException {
    ForecastEvaluation eval = new ForecastEvaluation(fromFraction, THRESHOLD);
    List<CpuForecaster> baselines =
        List.of(
            CpuForecaster.persistence(), CpuForecaster.seasonalNaive(), CpuForecaster.trend(12));
    Map<Integer, Map<String, ForecastEvaluation.Score>> scores = new LinkedHashMap<>();
    Map<Integer, ReliabilityTable> reliability = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    Map<String, ForecastEvaluation.Score> cold = new LinkedHashMap<>();
    Map<String, TargetScore> resources = new LinkedHashMap<>();
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    List<String> skipped = new ArrayList<>();
    int vms = 0;
    List<Path> files = BitbrainsTraceReader.listTraceFiles(traces);
    try (ForecastModel m = load(model)) {
      if (m != null) {
        out.printf(
            "evaluate: model %s (trained on %s), horizons %s min%n",
            m.manifest().name(),
            m.manifest().training().dirs(),
            m.horizons().stream().map(h -> h * 5).toList());
      }
      for (Path file : files) {
        VmTrace trace;
        try {
          trace = reader.read(file);
        } catch (TraceFormatException e) {
          skipped.add(e.getMessage());
          continue;
        }
        vms++;
        SeriesArrays a = SeriesArrays.of(trace.samples());
        int n = a.size();
        int start = (int) Math.floor(n * fromFraction);
        for (int h : HORIZONS) {
          Map<String, ForecastEvaluation.Score> byName =
              scores.computeIfAbsent(h, k -> new LinkedHashMap<>());
          for (CpuForecaster f : baselines) {
            byName.merge(
                f.name(), eval.score(f, trace.samples(), h), ForecastEvaluation.Score::plus);
          }
          if (m == null || !m.horizons().contains(h)) {
            continue;
          }
          int from = Math.max(0, start - h);
          // one set of feature rows for the CPU, memory and network boosters
          float[] x = m.rows(a, h, from, null);
          ForecastModel.SeriesForecast f = m.scoreCpu(x, n - from, h, THRESHOLD);
          double[] p50 = new double[n];
          double[] p90 = new double[n];
          boolean[] warn = new boolean[n];
          System.arraycopy(f.p50(), 0, p50, from, n - from);
          System.arraycopy(f.p90(), 0, p90, from, n - from);
          boolean[] warned = f.warnings(a.cpuPct(), from);
          System.arraycopy(warned, 0, warn, from, n - from);
          ForecastEvaluation.Score s =
              eval.score(CpuForecaster.precomputed(MODEL_NAME, p50, p90, warn), trace.samples(), h);
          byName.merge(MODEL_NAME, s, ForecastEvaluation.Score::plus);
          for (Target target : List.of(Target.MEM_PCT, Target.NET_KBPS)) {
            resources
                .computeIfAbsent(target.id() + "@" + h, k -> new TargetScore(target, h))
                .add(a, m.quantiles(target, h, x, n - from), -from, start);
          }
          ReliabilityTable rel = reliability.computeIfAbsent(h, k -> new ReliabilityTable(10));
          for (int t = start; t + h < n; t++) {
            rel.add(f.pExceed()[t - from], a.cpuPct()[t + h] > THRESHOLD);
          }
          if (h == PLOT_HORIZON && start < n - h) {
            samples.add(
                new Sample(
                    a.vmId(),
                    s.onsets(),
                    a.cpuPct(),
                    shift(f, from, start, n),
                    shift(warned, from, start, n, h)));
            samples.sort(Comparator.comparingLong(Sample::onsets).reversed());
            if (samples.size() > PLOTTED_VMS) {
              samples.removeLast();
            }
          }
        }
        if (m != null && m.horizons().contains(PLOT_HORIZON) && n > DAY) {
          coldStart(m, trace.vmId(), trace.samples().subList(0, DAY), cold);
        }
        if (vms % 10 == 0) {
          out.printf("  evaluated %d of %d files%n", vms, files.size());
        }
      }
    }
    skipped.forEach(s -> out.println("  skipped: " + s));
    out.printf(
        "evaluate: %d VMs from %s, scored after %.0f %% of each series%n",
        vms, traces, fromFraction * 100);
    String table = table(scores);
    if (!cold.isEmpty()) {
      table +=
          "\nCold start: the first 24 h of each series, each VM treated as new to the model (its"
              + " own training profile left out of its peers), %d min ahead:\n\n"
                  .formatted(PLOT_HORIZON * 5)
              + table(Map.of(PLOT_HORIZON, cold));
    }
    if (!resources.isEmpty()) {
      table +=
          "\nMemory and network, the model's p50 beside the baselines (MAE in the target's unit):\n\n"
              + "| horizon | target | MAE xgboost | MAE persistence | MAE seasonal-naive | p90 coverage |\n"
              + "|---|---|---|---|---|---|\n";
      for (TargetScore r : resources.values()) {
        table +=
            "| %d min | %s (%s) | %.3f | %.3f | %.3f | %.2f |%n"
                .formatted(
                    r.horizon() * 5,
                    r.target().id(),
                    r.target().unit(),
                    r.maeModel(),
                    r.maePersistence(),
                    r.maeSeasonalNaive(),
                    r.p90Coverage());
      }
    }
    out.print(table);
    Files.createDirectories(output);
    Files.writeString(output.resolve("table.md"), table);
    writeReport(vms, scores, reliability, cold, skipped);
    for (var e : reliability.entrySet()) {
      Plots.reliability(
          output.resolve("reliability-%dmin.png".formatted(e.getKey() * 5)),
          "pExceed(CPU > 80 %%) at %d min: reliability".formatted(e.getKey() * 5),
          e.getValue().bins());
    }
    for (Sample s : samples) {
      plot(s);
    }
    out.println("  wrote " + output.resolve("report.json") + ", table.md and plots");
    return scores;
  }

  /**
   * Scores the model on a VM's first day as if the VM were new (no history before, its own training
   * profile not among its peers), beside persistence; seasonal-naive has no yesterday.
   */
  private static void coldStart(
      ForecastModel m,
      String vm,
      List<io.vmdna.models.VmSample> day,
      Map<String, ForecastEvaluation.Score> cold) {
    ForecastEvaluation eval = new ForecastEvaluation(0, THRESHOLD);
    SeriesArrays a = SeriesArrays.of(day);
    ForecastModel.SeriesForecast f = m.forecastCpu(a, PLOT_HORIZON, THRESHOLD, 0, vm);
    cold.merge(
        MODEL_NAME,
        eval.score(
            CpuForecaster.precomputed(MODEL_NAME, f.p50(), f.p90(), f.warnings(a.cpuPct(), 0)),
            day,
            PLOT_HORIZON),
        ForecastEvaluation.Score::plus);
    cold.merge(
        "persistence",
        eval.score(CpuForecaster.persistence(), day, PLOT_HORIZON),
        ForecastEvaluation.Score::plus);
  }

  /** The forecasts made at indices {@code start..n-h-1}, as target-time aligned arrays. */
  private static ForecastModel.SeriesForecast shift(
      ForecastModel.SeriesForecast f, int from, int start, int n) {
    int k = n - f.horizon() - start;
    double[] p50 = new double[k];
    double[] p90 = new double[k];
    double[] p = new double[k];
    double[] pw = new double[k];
    System.arraycopy(f.p50(), start - from, p50, 0, k);
    System.arraycopy(f.p90(), start - from, p90, 0, k);
    System.arraycopy(f.pExceed(), start - from, p, 0, k);
    System.arraycopy(f.pWithin(), start - from, pw, 0, k);
    return new ForecastModel.SeriesForecast(
        f.horizon(), f.thresholdPct(), p50, p90, p, pw, f.warnAt());
  }

  /** The warnings of the forecasts made at indices {@code start..n-h-1}. */
  private static boolean[] shift(boolean[] warned, int from, int start, int n, int h) {
    return java.util.Arrays.copyOfRange(warned, start - from, start - from + n - h - start);
  }

  private void plot(Sample s) throws IOException {
    int k = s.f().p50().length;
    int n = s.actual().length;
    double[] actual = new double[k];
    // forecast i was made at start + i for target start + i + h = n - k + i
    System.arraycopy(s.actual(), n - k, actual, 0, k);
    Plots.forecastVsActual(
        output.resolve("forecast-%s.png".formatted(s.vm())),
        "VM %s: CPU %% and the %d-min forecast (last %.0f %%, %d onsets)"
            .formatted(s.vm(), PLOT_HORIZON * 5, 100 * (1 - fromFraction), s.onsets()),
        actual,
        s.f().p50(),
        s.f().p90(),
        s.warned(),
        THRESHOLD);
  }

  private static ForecastModel load(String model) {
    if (model == null || model.equals("none")) {
      return null;
    }
    return ForecastModel.open(model, Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  /** The README table: one row per horizon and forecaster. */
  static String table(Map<Integer, Map<String, ForecastEvaluation.Score>> scores) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| horizon | forecaster | MAE CPU % | onsets | caught | caught % | false warnings / VM-day | p90 coverage |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    scores.forEach(
        (h, byName) ->
            byName
                .values()
                .forEach(
                    s ->
                        b.append(
                            "| %d min | %s | %.2f | %d | %d | %.1f | %.2f | %.2f |%n"
                                .formatted(
                                    h * 5,
                                    s.forecaster(),
                                    s.mae(),
                                    s.onsets(),
                                    s.caught(),
                                    100 * s.caughtShare(),
                                    s.falseWarningsPerVmDay(),
                                    s.p90Coverage()))));
    return b.toString();
  }

  private void writeReport(
      int vms,
      Map<Integer, Map<String, ForecastEvaluation.Score>> scores,
      Map<Integer, ReliabilityTable> reliability,
      Map<String, ForecastEvaluation.Score> cold,
      List<String> skipped)
      throws IOException {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("traces", traces.toString());
    report.put("model", model);
    report.put("vms", vms);
    report.put("fromFraction", fromFraction);
    report.put("threshold", THRESHOLD);
    List<Map<String, Object>> rows = new ArrayList<>();
    scores.forEach(
        (h, byName) ->
            byName
                .values()
                .forEach(
                    s -> {
                      Map<String, Object> r = new LinkedHashMap<>();
                      r.put("horizonMinutes", h * 5);
                      r.put("forecaster", s.forecaster());
                      r.put("mae", s.mae());
                      r.put("onsets", s.onsets());
                      r.put("caught", s.caught());
                      r.put("caughtShare", s.caughtShare());
                      r.put("warnings", s.warnings());
                      r.put("falseWarningsPerVmDay", s.falseWarningsPerVmDay());
                      r.put("p90Coverage", s.p90Coverage());
                      rows.add(r);
                    }));
    report.put("scores", rows);
    Map<String, Object> rel = new LinkedHashMap<>();
    reliability.forEach(
        (h, t) ->
            rel.put(
                h * 5 + "min",
                Map.of(
                    "bins", t.bins(), "expectedCalibrationError", t.expectedCalibrationError())));
    report.put("reliability", rel);
    report.put(
        "coldStart",
        cold.values().stream()
            .map(
                c ->
                    Map.of(
                        "forecaster", c.forecaster(),
                        "horizonMinutes", c.horizon() * 5,
                        "mae", c.mae(),
                        "onsets", c.onsets(),
                        "caught", c.caught(),
                        "falseWarningsPerVmDay", c.falseWarningsPerVmDay()))
            .toList());
    report.put("skipped", skipped);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(output.resolve("report.json").toFile(), report);
  }
}
