package io.vmdna.models.anomaly;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Calibrates one detector's statistic against the same statistic's own recent past, so that a
 * volatile VM and a calm one alarm equally rarely: the p-value of a new statistic {@code s} is the
 * share of past statistics at least as large, and beyond the past's 98th percentile {@code u} an
 * exponential tail fitted to the exceedances (peaks over threshold, as in Siffer et al., "Anomaly
 * Detection in Streams with Extreme Value Theory", KDD 2017): {@code P(S ≥ s) = share(S > u) ·
 * exp(−(s − u) / σ)}, {@code σ} the mean exceedance (at least a floor).
 *
 * <p>The past is a {@link SortedWindow} of the last {@code window} statistics, so the tail is
 * refitted on every p-value at the cost of reading the top 2 %; until {@code minHistory} statistics
 * were seen every p-value is 1. Not thread-safe: one instance per detector and feature.
 */
final class TailCalibration {
  /** The share of the past above the tail's start. */
  static final double TAIL = 0.02;

  private SortedWindow past;
  private final int minHistory;
  private final double sigmaFloor;

  /**
   * A calibration.
   *
   * @param window past statistics kept
   * @param minHistory statistics needed before the first p-value below 1
   * @param sigmaFloor the smallest tail scale, in the statistic's unit (a past that never varied
   *     would otherwise make any small rise infinitely unlikely)
   */
  TailCalibration(int window, int minHistory, double sigmaFloor) {
    if (window < minHistory || minHistory < 2) {
      throw new IllegalArgumentException(
          "need window >= minHistory >= 2, were %d, %d".formatted(window, minHistory));
    }
    this.past = new SortedWindow(window);
    this.minHistory = minHistory;
    this.sigmaFloor = sigmaFloor;
  }

  /** Whether enough statistics were seen to give p-values below 1. */
  boolean ready() {
    return past.size() >= minHistory;
  }

  /** P(S ≥ s) under the past statistics (1 before {@link #ready()}); does not add s. */
  double pValue(double s) {
    if (!ready()) {
      return 1;
    }
    int n = past.size();
    double u = past.lower(1 - TAIL);
    if (s <= u) {
      return (n - past.countBelow(s) + 1.0) / (n + 1.0);
    }
    double excess = 0;
    int k = 0;
    for (int i = n - 1; i >= 0 && past.get(i) > u; i--) {
      excess += past.get(i) - u;
      k++;
    }
    double sigma = Math.max(sigmaFloor, k == 0 ? 0 : excess / k);
    return (k + 1.0) / (n + 1.0) * Math.exp(-(s - u) / sigma);
  }

  /** Writes the past statistics (4 bytes each; the settings are the constructor's). */
  void write(DataOutput out) throws IOException {
    past.write(out);
  }

  /**
   * Replaces the past with one {@link #write} wrote for a calibration of the same window.
   *
   * @throws IOException if the input is malformed or was written for another window size
   */
  void readPast(DataInput in) throws IOException {
    SortedWindow w = SortedWindow.read(in);
    if (w.capacity() != past.capacity()) {
      throw new IOException(
          "calibration: window of %d statistics, expected %d"
              .formatted(w.capacity(), past.capacity()));
    }
    past = w;
  }

  /** Adds a statistic to the past (a NaN is ignored). */
  void add(double s) {
    if (!Double.isNaN(s)) {
      past.add(s);
    }
  }
}
