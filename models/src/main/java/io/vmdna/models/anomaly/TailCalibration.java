package io.vmdna.models.anomaly;

import java.util.Arrays;

/**
 * Calibrates one detector's statistic against the same statistic's own recent past, so that a
 * volatile VM and a calm one alarm equally rarely: the p-value of a new statistic {@code s} is the
 * share of past statistics at least as large, and beyond the past's 98th percentile {@code u} an
 * exponential tail fitted to the exceedances (peaks over threshold, as in Siffer et al., "Anomaly
 * Detection in Streams with Extreme Value Theory", KDD 2017): {@code P(S ≥ s) = share(S > u) ·
 * exp(−(s − u) / σ)}, {@code σ} the mean exceedance (at least a floor).
 *
 * <p>The window of past statistics is a ring of {@code window} values, refitted every {@code
 * refitEvery} additions; until {@code minHistory} statistics were seen every p-value is 1. Not
 * thread-safe: one instance per detector and feature.
 */
final class TailCalibration {
  /** The share of the past above the tail's start. */
  static final double TAIL = 0.02;

  private final float[] ring;
  private final int minHistory;
  private final int refitEvery;
  private final double sigmaFloor;
  private int count;
  private int next;
  private int sinceFit;
  private double[] sorted = new double[0];
  private double u;
  private double sigma;
  private double tailShare = 1;

  /**
   * A calibration.
   *
   * @param window past statistics kept
   * @param minHistory statistics needed before the first p-value below 1
   * @param refitEvery additions between refits
   * @param sigmaFloor the smallest tail scale, in the statistic's unit (a past that never varied
   *     would otherwise make any small rise infinitely unlikely)
   */
  TailCalibration(int window, int minHistory, int refitEvery, double sigmaFloor) {
    if (window < minHistory || minHistory < 2 || refitEvery < 1) {
      throw new IllegalArgumentException(
          "need window >= minHistory >= 2 and refitEvery >= 1, were %d, %d, %d"
              .formatted(window, minHistory, refitEvery));
    }
    this.ring = new float[window];
    this.minHistory = minHistory;
    this.refitEvery = refitEvery;
    this.sigmaFloor = sigmaFloor;
    this.sigma = sigmaFloor;
  }

  /** Whether enough statistics were seen to give p-values below 1. */
  boolean ready() {
    return sorted.length >= minHistory;
  }

  /** P(S ≥ s) under the past statistics (1 before {@link #ready()}); does not add s. */
  double pValue(double s) {
    if (!ready()) {
      return 1;
    }
    if (s <= u) {
      int i = Arrays.binarySearch(sorted, s);
      int firstAtLeast = i >= 0 ? firstIndexOf(i) : -i - 1;
      return (sorted.length - firstAtLeast + 1.0) / (sorted.length + 1.0);
    }
    return tailShare * Math.exp(-(s - u) / sigma);
  }

  private int firstIndexOf(int i) {
    while (i > 0 && sorted[i - 1] == sorted[i]) {
      i--;
    }
    return i;
  }

  /** Adds a statistic to the past (finite; a NaN is ignored). */
  void add(double s) {
    if (Double.isNaN(s)) {
      return;
    }
    ring[next] = (float) s;
    next = (next + 1) % ring.length;
    count = Math.min(count + 1, ring.length);
    sinceFit++;
    if (sinceFit >= refitEvery || (!ready() && count >= minHistory)) {
      fit();
    }
  }

  private void fit() {
    sinceFit = 0;
    double[] s = new double[count];
    for (int i = 0; i < count; i++) {
      s[i] = ring[i];
    }
    Arrays.sort(s);
    sorted = s;
    u = s[(int) Math.floor((1 - TAIL) * (s.length - 1))];
    double excess = 0;
    int k = 0;
    for (int i = s.length - 1; i >= 0 && s[i] > u; i--) {
      excess += s[i] - u;
      k++;
    }
    tailShare = (k + 1.0) / (s.length + 1.0);
    sigma = Math.max(sigmaFloor, k == 0 ? 0 : excess / k);
  }
}
