package io.vmdna.models.predict;

import java.util.Arrays;

/**
 * A monotone map from a classifier's raw probability to the observed frequency of the event, fitted
 * by isotonic regression (pool adjacent violators) on held-out data, applied by linear
 * interpolation between the fitted steps. Immutable; thread-safe.
 *
 * @param x raw probabilities at the step centres, increasing
 * @param y calibrated probabilities at those points, non-decreasing, in [0, 1]
 */
public record IsotonicCalibration(double[] x, double[] y) {

  /** Validates. */
  public IsotonicCalibration {
    if (x.length == 0 || x.length != y.length) {
      throw new IllegalArgumentException(
          "calibration needs as many x as y values, at least one; got %d and %d"
              .formatted(x.length, y.length));
    }
  }

  /** The identity map (no calibration). */
  public static IsotonicCalibration identity() {
    return new IsotonicCalibration(new double[] {0, 1}, new double[] {0, 1});
  }

  /**
   * Fits the map on raw probabilities and outcomes.
   *
   * @param raw the classifier's probabilities
   * @param outcome whether the event happened, same length
   */
  public static IsotonicCalibration fit(float[] raw, boolean[] outcome) {
    int n = raw.length;
    if (n == 0) {
      return identity();
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(raw[a], raw[b]));
    // Blocks: sum of x, sum of y, weight. Pool while the last two violate monotonicity.
    double[] sx = new double[n];
    double[] sy = new double[n];
    double[] w = new double[n];
    int k = 0;
    for (int j = 0; j < n; j++) {
      int idx = order[j];
      if (j > 0 && raw[idx] == raw[order[j - 1]]) {
        // equal scores are one point: they must map to one probability
        sx[k - 1] += raw[idx];
        sy[k - 1] += outcome[idx] ? 1 : 0;
        w[k - 1] += 1;
      } else {
        sx[k] = raw[idx];
        sy[k] = outcome[idx] ? 1 : 0;
        w[k] = 1;
        k++;
      }
      if (j + 1 < n && raw[order[j + 1]] == raw[idx]) {
        continue; // pool violators once the tie group is complete
      }
      while (k > 1 && sy[k - 2] / w[k - 2] >= sy[k - 1] / w[k - 1]) {
        sx[k - 2] += sx[k - 1];
        sy[k - 2] += sy[k - 1];
        w[k - 2] += w[k - 1];
        k--;
      }
    }
    double[] x = new double[k];
    double[] y = new double[k];
    for (int i = 0; i < k; i++) {
      x[i] = sx[i] / w[i];
      y[i] = sy[i] / w[i];
    }
    return new IsotonicCalibration(x, y);
  }

  /** The calibrated probability for a raw one. */
  public double apply(double p) {
    if (p <= x[0]) {
      return y[0];
    }
    int last = x.length - 1;
    if (p >= x[last]) {
      return y[last];
    }
    int i = Arrays.binarySearch(x, p);
    if (i >= 0) {
      return y[i];
    }
    int hi = -i - 1;
    int lo = hi - 1;
    double f = (p - x[lo]) / (x[hi] - x[lo]);
    return y[lo] + f * (y[hi] - y[lo]);
  }
}
