package io.vmdna.models.dna;

import java.util.Arrays;

/** Small numeric helpers shared by the DNA, the control chart and the forecaster. Pure, static. */
public final class Stats {
  private Stats() {}

  /** Arithmetic mean; NaN for an empty array. */
  public static double mean(double[] x) {
    if (x.length == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  /**
   * The q-quantile (0..1) by linear interpolation between order statistics (type 7, as R and
   * numpy's default); NaN for an empty array. Does not modify {@code x}.
   */
  public static double quantile(double[] x, double q) {
    if (x.length == 0) {
      return Double.NaN;
    }
    if (q < 0 || q > 1) {
      throw new IllegalArgumentException("quantile must be in [0, 1], was " + q);
    }
    double[] s = x.clone();
    Arrays.sort(s);
    return quantileSorted(s, q);
  }

  /**
   * The q-quantile (0..1, type 7) of values already sorted ascending; NaN for an empty array. For
   * callers that sort once and read several quantiles.
   */
  public static double quantileSorted(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * Least-squares slope of {@code y} against its index (units of y per step); 0 for fewer than two
   * points.
   */
  public static double slope(double[] y) {
    int n = y.length;
    if (n < 2) {
      return 0;
    }
    double xm = (n - 1) / 2.0;
    double ym = mean(y);
    double num = 0;
    double den = 0;
    for (int i = 0; i < n; i++) {
      num += (i - xm) * (y[i] - ym);
      den += (i - xm) * (i - xm);
    }
    return num / den;
  }

  /** Standard normal cumulative distribution function (Abramowitz-Stegun 7.1.26, error < 1e-7). */
  public static double normalCdf(double z) {
    double t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.sqrt(2));
    double poly =
        t
            * (0.254829592
                + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    double erf = 1 - poly * Math.exp(-z * z / 2);
    return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
  }
}
