package io.vmdna.models.dna;

import java.util.Arrays;
import java.util.List;

/**
 * Fleet-level robust scaling of DNA vectors: {@code (x − median) / scale}, clipped to ±{@value
 * #CLIP}, where the scale is the interquartile range over 1.349 (the standard deviation of a normal
 * distribution with that IQR), fitted on training vectors and saved with the model. A feature whose
 * IQR is 0 on the fleet (e.g. a zero fraction that is 0 for most VMs) falls back to 1.4826 × MAD,
 * then to the standard deviation, then to 1. An absent feature (NaN) scales to 0, the fleet's
 * median, and is flagged in the mask so losses can leave it out.
 *
 * <p>Immutable after fitting (the arrays are not handed out for change); thread-safe.
 *
 * @param median per feature, the fleet median (0 for a feature never present in training)
 * @param scale per feature, > 0
 */
public record RobustScaler(double[] median, double[] scale) {

  /** Scaled values are clipped to ±CLIP, so one wild feature cannot dominate a distance. */
  public static final double CLIP = 6;

  /** Checks the arrays. */
  public RobustScaler {
    if (median.length != scale.length) {
      throw new IllegalArgumentException(
          "scaler has %d medians and %d scales".formatted(median.length, scale.length));
    }
    for (int i = 0; i < scale.length; i++) {
      if (!(scale[i] > 0) || !Double.isFinite(median[i])) {
        throw new IllegalArgumentException(
            "scaler feature %d: median %s, scale %s (need finite, scale > 0)"
                .formatted(i, median[i], scale[i]));
      }
    }
  }

  /**
   * Fits on training vectors, each feature over the vectors where it is present.
   *
   * @throws IllegalArgumentException if there are no rows or they differ in length
   */
  public static RobustScaler fit(List<double[]> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("cannot fit a scaler on no DNA vectors");
    }
    int d = rows.getFirst().length;
    double[] median = new double[d];
    double[] scale = new double[d];
    double[] col = new double[rows.size()];
    for (int j = 0; j < d; j++) {
      int n = 0;
      for (double[] r : rows) {
        if (r.length != d) {
          throw new IllegalArgumentException(
              "DNA vectors differ in length: %d and %d".formatted(d, r.length));
        }
        if (Double.isFinite(r[j])) {
          col[n++] = r[j];
        }
      }
      if (n == 0) {
        median[j] = 0;
        scale[j] = 1;
        continue;
      }
      double[] v = Arrays.copyOf(col, n);
      Arrays.sort(v);
      median[j] = Stats.quantileSorted(v, 0.5);
      double s = (Stats.quantileSorted(v, 0.75) - Stats.quantileSorted(v, 0.25)) / 1.349;
      if (!(s > 1e-9)) {
        double[] dev = new double[n];
        for (int i = 0; i < n; i++) {
          dev[i] = Math.abs(v[i] - median[j]);
        }
        Arrays.sort(dev);
        s = 1.4826 * Stats.quantileSorted(dev, 0.5);
      }
      if (!(s > 1e-9)) {
        double mean = 0;
        for (double x : v) {
          mean += x;
        }
        mean /= n;
        double ss = 0;
        for (double x : v) {
          ss += (x - mean) * (x - mean);
        }
        s = Math.sqrt(ss / n);
      }
      scale[j] = s > 1e-9 ? s : 1;
    }
    return new RobustScaler(median, scale);
  }

  /** Number of features. */
  public int size() {
    return median.length;
  }

  /**
   * Scales one vector into {@code out} (absent → 0) and fills {@code present} (absent → 0, else 1).
   *
   * @throws IllegalArgumentException if the vector's length is not {@link #size()}
   */
  public void transform(double[] x, double[] out, double[] present) {
    if (x.length != median.length) {
      throw new IllegalArgumentException(
          "DNA vector has %d features, the scaler %d".formatted(x.length, median.length));
    }
    for (int j = 0; j < x.length; j++) {
      if (Double.isFinite(x[j])) {
        double z = (x[j] - median[j]) / scale[j];
        out[j] = Math.max(-CLIP, Math.min(CLIP, z));
        present[j] = 1;
      } else {
        out[j] = 0;
        present[j] = 0;
      }
    }
  }
}
