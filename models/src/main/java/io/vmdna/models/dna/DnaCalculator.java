package io.vmdna.models.dna;

import io.vmdna.models.VmSample;
import java.util.ArrayList;
import java.util.List;

/** Computes the schema-1 {@link Dna} of a window of samples. Stateless and thread-safe. */
public final class DnaCalculator {

  /**
   * Computes the DNA of one VM's window.
   *
   * @param window the VM's samples, oldest first, at least one
   * @return mean, p95 and slope (per sample step) for each metric
   * @throws IllegalArgumentException if the window is empty
   */
  public Dna compute(List<VmSample> window) {
    if (window.isEmpty()) {
      throw new IllegalArgumentException("cannot compute a DNA from an empty window");
    }
    List<Double> features = new ArrayList<>(Dna.FEATURE_NAMES.size());
    for (Metric m : Metric.values()) {
      double[] x = values(window, m);
      features.add(Stats.mean(x));
      features.add(Stats.quantile(x, 0.95));
      features.add(Stats.slope(x));
    }
    return new Dna(Dna.SCHEMA_VERSION, window.getLast().timestampS(), window.size(), features);
  }

  /** The values of one metric over a window, oldest first. */
  public static double[] values(List<VmSample> window, Metric m) {
    double[] x = new double[window.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = m.of(window.get(i));
    }
    return x;
  }
}
