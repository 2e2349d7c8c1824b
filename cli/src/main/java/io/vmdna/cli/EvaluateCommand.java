package io.vmdna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmdna.models.eval.CpuForecaster;
import io.vmdna.models.eval.ForecastEvaluation;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.TraceFormatException;
import io.vmdna.models.trace.VmTrace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./vmdna evaluate}: walks forward through every trace in a folder and reports, per horizon
 * (15, 30, 60 minutes), the backbone's trend forecaster beside the persistence and seasonal-naive
 * baselines on the same samples ({@link ForecastEvaluation}). Writes {@code report.json} to the
 * output folder and prints a table. Files that are not Bitbrains traces are skipped and named.
 *
 * @param traces folder of {@code .csv} / {@code .csv.gz} traces
 * @param fromFraction where scoring starts in each series
 * @param output folder for {@code report.json}
 */
public record EvaluateCommand(Path traces, double fromFraction, Path output) {
  private static final int[] HORIZONS = {3, 6, 12};

  /** Runs the evaluation; returns the scores by horizon and forecaster. */
  public Map<Integer, Map<String, ForecastEvaluation.Score>> run(PrintStream out)
      throws IOException {
    ForecastEvaluation eval = new ForecastEvaluation(fromFraction, 80);
    List<CpuForecaster> forecasters =
        List.of(
            CpuForecaster.persistence(), CpuForecaster.seasonalNaive(), CpuForecaster.trend(12));
    Map<Integer, Map<String, ForecastEvaluation.Score>> scores = new LinkedHashMap<>();
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    List<String> skipped = new ArrayList<>();
    int vms = 0;
    List<Path> files = BitbrainsTraceReader.listTraceFiles(traces);
    for (Path file : files) {
      VmTrace trace;
      try {
        trace = reader.read(file);
      } catch (TraceFormatException e) {
        skipped.add(e.getMessage());
        continue;
      }
      vms++;
      for (int h : HORIZONS) {
        Map<String, ForecastEvaluation.Score> byName =
            scores.computeIfAbsent(h, k -> new LinkedHashMap<>());
        for (CpuForecaster f : forecasters) {
          ForecastEvaluation.Score s = eval.score(f, trace.samples(), h);
          byName.merge(f.name(), s, ForecastEvaluation.Score::plus);
        }
      }
      if (vms % 10 == 0) {
        out.printf("  evaluated %d of %d files%n", vms, files.size());
      }
    }
    skipped.forEach(s -> out.println("  skipped: " + s));
    out.printf(
        "evaluate: %d VMs from %s, scored after %.0f %% of each series%n",
        vms, traces, fromFraction * 100);
    out.println(
        "  horizon  forecaster       MAE(CPU%)  onsets  caught  caught%  false/VM-day  p90cov");
    scores.forEach(
        (h, byName) ->
            byName
                .values()
                .forEach(
                    s ->
                        out.printf(
                            "  %3d min  %-15s %9.2f  %6d  %6d  %6.1f  %12.2f  %6.2f%n",
                            h * 5,
                            s.forecaster(),
                            s.mae(),
                            s.onsets(),
                            s.caught(),
                            100 * s.caughtShare(),
                            s.falseWarningsPerVmDay(),
                            s.p90Coverage())));
    Files.createDirectories(output);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("traces", traces.toString());
    report.put("vms", vms);
    report.put("fromFraction", fromFraction);
    report.put("threshold", 80);
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
    report.put("skipped", skipped);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(output.resolve("report.json").toFile(), report);
    out.println("  wrote " + output.resolve("report.json"));
    return scores;
  }
}
