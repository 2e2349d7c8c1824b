package io.vmdna.models.dna;

import java.util.ArrayList;
import java.util.List;

/**
 * A VM's DNA: a compact, rolling feature vector describing how it behaves.
 *
 * <p>Two layouts exist. Schema 1 (the backbone's short DNA, computed on every sample by {@link
 * DnaCalculator}): for every {@link Metric}, the last hour's mean, 95th percentile and slope per
 * sample step, in {@link #FEATURE_NAMES} order, in the metric's own units. Schema {@value
 * DnaSchema#VERSION} (the full fingerprint, {@link DnaExtractor}): the {@link DnaSchema#NAMES}
 * layout, normalised series over 1 h, 24 h and a week; NaN marks an absent feature.
 *
 * @param schemaVersion 1 or {@link DnaSchema#VERSION}
 * @param windowEndS the timestamp of the last sample in the window, epoch seconds
 * @param samples number of samples in the window (for schema 2: in the last 24 h)
 * @param features the feature values, in the schema's order; NaN = absent (schema 2 only)
 */
public record Dna(int schemaVersion, long windowEndS, int samples, List<Double> features) {
  /** The version of the short, per-sample layout ({@link #FEATURE_NAMES}). */
  public static final int SCHEMA_VERSION = 1;

  /** Schema 1 names: {@code <metric>_mean}, {@code <metric>_p95}, {@code <metric>_slope}. */
  public static final List<String> FEATURE_NAMES = featureNames();

  /**
   * Makes a defensive, unmodifiable copy and checks the length against the schema.
   *
   * @throws IllegalArgumentException for an unknown schema or a length that does not match it
   */
  public Dna {
    features = List.copyOf(features);
    List<String> names = names(schemaVersion);
    if (features.size() != names.size()) {
      throw new IllegalArgumentException(
          "DNA schema %d has %d features, got %d"
              .formatted(schemaVersion, names.size(), features.size()));
    }
  }

  /** A DNA from a feature array (copied). */
  public static Dna of(int schemaVersion, long windowEndS, int samples, double[] features) {
    List<Double> f = new ArrayList<>(features.length);
    for (double v : features) {
      f.add(v);
    }
    return new Dna(schemaVersion, windowEndS, samples, f);
  }

  /**
   * The feature names of a schema version.
   *
   * @throws IllegalArgumentException for a version this code does not know
   */
  public static List<String> names(int schemaVersion) {
    return switch (schemaVersion) {
      case SCHEMA_VERSION -> FEATURE_NAMES;
      case DnaSchema.VERSION -> DnaSchema.NAMES;
      default ->
          throw new IllegalArgumentException(
              "unknown DNA schema %d (known: 1, %d)".formatted(schemaVersion, DnaSchema.VERSION));
    };
  }

  /** The value of a feature by name, e.g. {@code cpu_mhz_p95}; NaN when absent. */
  public double feature(String name) {
    List<String> names = names(schemaVersion);
    int i = names.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "unknown DNA feature '%s' in schema %d; e.g. %s"
              .formatted(name, schemaVersion, names.subList(0, 3)));
    }
    return features.get(i);
  }

  /** The features as a new array, in schema order. */
  public double[] vector() {
    double[] v = new double[features.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = features.get(i);
    }
    return v;
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
