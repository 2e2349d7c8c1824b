package io.vmdna.models.forecast;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.DnaCalculator;
import io.vmdna.models.dna.Metric;
import io.vmdna.models.dna.Stats;
import java.util.List;

/**
 * The backbone's first forecaster: a damped linear trend over the recent window with a normal error
 * band. A simple rule on purpose; the XGBoost4J Resource Prediction Engine replaces it.
 *
 * <p>For each metric: fit a least-squares line to the window, take its value at the last sample
 * plus {@code damping × slope × steps} as the median, and the residual standard deviation (at least
 * {@code minSigmaFraction} of the level, so a flat series still has uncertainty) as the spread; p90
 * = p50 + 1.2816 σ. CPU is capped at 1.2 × the VM's provisioned MHz.
 *
 * <p>Immutable and thread-safe.
 *
 * @param horizonS forecast horizon, seconds
 * @param stepS sample interval, seconds (Bitbrains: 300)
 * @param damping fraction of the fitted trend carried forward, [0, 1]
 * @param minSigmaFraction lower bound of σ as a fraction of the current level
 * @param thresholdPct CPU % threshold for {@link Forecast#pExceed()}
 */
public record TrendForecaster(
    long horizonS, long stepS, double damping, double minSigmaFraction, double thresholdPct)
    implements java.io.Serializable {
  private static final double Z90 = 1.2815515655446004;

  /** Defaults: 30-minute horizon on 5-minute samples, half the trend, σ ≥ 5 %, threshold 80 %. */
  public static TrendForecaster defaults() {
    return new TrendForecaster(1800, 300, 0.5, 0.05, 80.0);
  }

  /** Validates the configuration. */
  public TrendForecaster {
    if (horizonS <= 0 || stepS <= 0 || horizonS % stepS != 0) {
      throw new IllegalArgumentException(
          "horizonS must be a positive multiple of stepS, was %d and %d"
              .formatted(horizonS, stepS));
    }
    if (damping < 0 || damping > 1) {
      throw new IllegalArgumentException("damping must be in [0, 1], was " + damping);
    }
  }

  /**
   * Forecasts from a window of one VM's samples.
   *
   * @param window oldest first, at least one sample
   * @return the forecast at {@code horizonS} after the last sample
   */
  public Forecast forecast(List<VmSample> window) {
    if (window.isEmpty()) {
      throw new IllegalArgumentException("cannot forecast from an empty window");
    }
    return forecast(
        DnaCalculator.values(window, Metric.CPU_MHZ),
        DnaCalculator.values(window, Metric.MEM_KB),
        DnaCalculator.values(window, Metric.NET_KBPS),
        window.getLast().cpuProvisionedMhz());
  }

  /**
   * Forecasts from a window given as columns (the streaming job's history keeps its samples so):
   * the same forecast as {@link #forecast(List)} on the samples these values come from.
   *
   * @param cpuMhz CPU used, MHz, oldest first (at least one value)
   * @param memKb memory used, KiB, as many values
   * @param netKbps network throughput, received plus transmitted, KiB/s, as many values
   * @param provisionedMhz the newest sample's provisioned CPU, MHz
   * @throws IllegalArgumentException when the window is empty or the columns differ in length
   */
  public Forecast forecast(
      double[] cpuMhz, double[] memKb, double[] netKbps, double provisionedMhz) {
    if (cpuMhz.length == 0) {
      throw new IllegalArgumentException("cannot forecast from an empty window");
    }
    if (memKb.length != cpuMhz.length || netKbps.length != cpuMhz.length) {
      throw new IllegalArgumentException(
          "window columns differ in length: CPU %d, memory %d, network %d"
              .formatted(cpuMhz.length, memKb.length, netKbps.length));
    }
    long steps = horizonS / stepS;
    double capMhz = Math.max(provisionedMhz, 1) * 1.2;
    Band cpu = band(cpuMhz, steps, capMhz);
    Band mem = band(memKb, steps, Double.MAX_VALUE);
    Band net = band(netKbps, steps, Double.MAX_VALUE);
    double provisioned = Math.max(provisionedMhz, 1);
    double thresholdMhz = thresholdPct / 100 * provisioned;
    double pExceed = 1 - Stats.normalCdf((thresholdMhz - cpu.p50) / cpu.sigma);
    return new Forecast(
        horizonS,
        cpu.p50,
        cpu.p90(),
        cpu.sigma,
        100 * cpu.p50 / provisioned,
        100 * cpu.p90() / provisioned,
        pExceed,
        thresholdPct,
        mem.p90(),
        net.p90());
  }

  private record Band(double p50, double sigma, double cap) {
    double p90() {
      return Math.min(cap, p50 + Z90 * sigma);
    }
  }

  private Band band(double[] y, long steps, double cap) {
    int n = y.length;
    double slope = Stats.slope(y);
    double mean = Stats.mean(y);
    double fittedLast = mean + slope * (n - 1) / 2.0;
    double sse = 0;
    for (int i = 0; i < n; i++) {
      double fitted = mean + slope * (i - (n - 1) / 2.0);
      sse += (y[i] - fitted) * (y[i] - fitted);
    }
    double residualSigma = n > 2 ? Math.sqrt(sse / (n - 2)) : 0;
    double level = Math.max(0, fittedLast);
    double sigma = Math.max(residualSigma, Math.max(minSigmaFraction * level, 1e-6));
    double p50 = Math.min(cap, Math.max(0, level + damping * slope * steps));
    return new Band(p50, sigma, cap);
  }
}
