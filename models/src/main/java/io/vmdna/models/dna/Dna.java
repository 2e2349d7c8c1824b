package io.vmdna.models.dna;

import java.util.ArrayList;
import java.util.List;

/**
 * A VM's DNA: a compact, rolling feature vector describing how it behaves.
 *
 * <p>Schema 1 (the backbone's first DNA): for every {@link Metric}, the window's mean, 95th
 * percentile and slope per sample step, in {@link #FEATURE_NAMES} order. Values are in the metric's
 * own units; fleet-level scaling arrives with the richer DNA schema.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} for vectors made by this code
 * @param windowEndS the timestamp of the last sample in the window, epoch seconds
 * @param samples number of samples in the window
 * @param features the feature values, in {@link #FEATURE_NAMES} order
 */
public record Dna(int schemaVersion, long windowEndS, int samples, List<Double> features) {
  /** The version of the feature layout below. */
  public static final int SCHEMA_VERSION = 1;

  /** Feature names: {@code <metric>_mean}, {@code <metric>_p95}, {@code <metric>_slope}. */
  public static final List<String> FEATURE_NAMES = featureNames();

  /** Makes a defensive, unmodifiable copy and checks the length against the schema. */
  public Dna {
    features = List.copyOf(features);
    if (features.size() != FEATURE_NAMES.size()) {
      throw new IllegalArgumentException(
          "DNA schema %d has %d features, got %d"
              .formatted(schemaVersion, FEATURE_NAMES.size(), features.size()));
    }
  }

  /** The value of a feature by name, e.g. {@code cpu_mhz_p95}. */
  public double feature(String name) {
    int i = FEATURE_NAMES.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "unknown DNA feature '" + name + "'; known: " + FEATURE_NAMES);
    }
    return features.get(i);
  }

  private static List<String> featureNames() {
    List<String> names = new ArrayList<>();
    for (Metric m : Metric.values()) {
      names.add(m.column() + "_mean");
      names.add(m.column() + "_p95");
      names.add(m.column() + "_slope");
    }
    return List.copyOf(names);
  }
}
