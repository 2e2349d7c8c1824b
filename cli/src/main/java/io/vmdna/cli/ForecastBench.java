package io.vmdna.cli;

import io.vmdna.models.predict.ForecastFeatures;
import io.vmdna.models.predict.ForecastModel;
import io.vmdna.models.predict.SeriesArrays;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.TraceFormatException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./vmdna bench-forecast}: batch scoring speed on one core (one Java thread, XGBoost {@code
 * nthread=1}). A forecast is p50, p90, pExceed and the warning for one VM at one horizon. Measures,
 * over every sample of the traces: building the feature rows, scoring built rows, and both
 * together, in batches of {@code batch} rows; one warm-up round, then {@code rounds} timed rounds,
 * reporting the median and best.
 *
 * @param traces folder of traces
 * @param model a model folder or {@code shipped}
 * @param horizon samples ahead
 * @param batch rows per scoring call
 * @param rounds timed rounds
 */
public record ForecastBench(Path traces, String model, int horizon, int batch, int rounds) {

  /** Forecasts per second of each phase (median over rounds). */
  public record Result(long forecasts, double featuresPerS, double scoringPerS, double totalPerS) {}

  /** Runs; prints and returns the figures. */
  public Result run(PrintStream out) {
    if (batch < 1 || rounds < 1) {
      throw new IllegalArgumentException("--batch and --rounds must be ≥ 1");
    }
    List<SeriesArrays> series = new ArrayList<>();
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    for (Path f : BitbrainsTraceReader.listTraceFiles(traces)) {
      try {
        series.add(SeriesArrays.of(reader.read(f).samples()));
      } catch (TraceFormatException e) {
        out.println("  skipped: " + e.getMessage());
      }
    }
    if (series.isEmpty()) {
      throw new IllegalArgumentException("no Bitbrains traces in " + traces);
    }
    long rows = series.stream().mapToLong(SeriesArrays::size).sum();
    try (ForecastModel m = ForecastModel.open(model, 1)) {
      m.requireSupports(horizon, 80);
      out.printf(
          "bench-forecast: %d VMs, %d samples, horizon %d min, batches of %d rows, 1 thread%n",
          series.size(), rows, horizon * 5, batch);
      double[] feat = new double[rounds];
      double[] score = new double[rounds];
      double[] total = new double[rounds];
      float[] x = new float[batch * ForecastFeatures.SIZE];
      double sink = 0;
      for (int r = -1; r < rounds; r++) {
        long featNs = 0;
        long scoreNs = 0;
        for (SeriesArrays s : series) {
          for (int from = 0; from < s.size(); from += batch) {
            int n = Math.min(batch, s.size() - from);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
              ForecastFeatures.fill(s, from + i, horizon, x, i * ForecastFeatures.SIZE);
            }
            m.prepare(x, n);
            long t1 = System.nanoTime();
            ForecastModel.SeriesForecast f = m.scoreCpu(x, n, horizon, 80);
            long t2 = System.nanoTime();
            sink += f.pExceed()[n - 1];
            featNs += t1 - t0;
            scoreNs += t2 - t1;
          }
        }
        if (r >= 0) {
          feat[r] = rows / (featNs / 1e9);
          score[r] = rows / (scoreNs / 1e9);
          total[r] = rows / ((featNs + scoreNs) / 1e9);
          out.printf(
              "  round %d: features %,.0f rows/s, scoring %,.0f forecasts/s, together %,.0f forecasts/s%n",
              r + 1, feat[r], score[r], total[r]);
        }
      }
      Result res = new Result(rows, median(feat), median(score), median(total));
      out.printf(
          "  median: features %,.0f rows/s, scoring %,.0f forecasts/s, together %,.0f forecasts/s (best %,.0f; checksum %.1f)%n",
          res.featuresPerS(),
          res.scoringPerS(),
          res.totalPerS(),
          Arrays.stream(total).max().orElse(0),
          sink);
      return res;
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
