package io.vmdna.models.predict;

import java.util.List;

/**
 * How {@link ForecastTrainer} trains a model. Immutable.
 *
 * @param name the model's name (in its manifest)
 * @param horizons horizons in samples, each a multiple of the 5-minute interval up to 60 minutes
 *     (1..12)
 * @param thresholdsPct CPU % thresholds to train pExceed for, each in (0, 100)
 * @param maxDepth tree depth
 * @param eta learning rate
 * @param maxRounds boosting rounds at most
 * @param earlyStoppingRounds rounds without improvement on the tuning data before stopping
 * @param threads training threads
 * @param tuningFraction leading share of each tuning series used for tuning, (0, 1)
 * @param seed random seed (row and column sampling)
 */
public record TrainingConfig(
    String name,
    List<Integer> horizons,
    List<Double> thresholdsPct,
    int maxDepth,
    double eta,
    int maxRounds,
    int earlyStoppingRounds,
    int threads,
    double tuningFraction,
    long seed) {

  /** The longest horizon, samples (60 minutes). */
  public static final int MAX_HORIZON = 12;

  /** Validates, naming the bad value. */
  public TrainingConfig {
    horizons = List.copyOf(horizons);
    thresholdsPct = List.copyOf(thresholdsPct);
    if (horizons.isEmpty()) {
      throw new IllegalArgumentException("at least one horizon is needed");
    }
    for (int h : horizons) {
      if (h < 1 || h > MAX_HORIZON) {
        throw new IllegalArgumentException(
            "horizon %d min is not a multiple of 5 min between 5 and 60".formatted(h * 5));
      }
    }
    for (double t : thresholdsPct) {
      if (!(t > 0 && t < 100)) {
        throw new IllegalArgumentException("threshold %s %% is not in (0, 100)".formatted(t));
      }
    }
    if (maxDepth < 1 || maxRounds < 1 || earlyStoppingRounds < 1 || threads < 1) {
      throw new IllegalArgumentException(
          "depth, rounds, early stopping and threads must be ≥ 1; got %d, %d, %d, %d"
              .formatted(maxDepth, maxRounds, earlyStoppingRounds, threads));
    }
    if (!(eta > 0 && eta <= 1)) {
      throw new IllegalArgumentException("eta must be in (0, 1], got " + eta);
    }
    if (!(tuningFraction > 0 && tuningFraction < 1)) {
      throw new IllegalArgumentException(
          "tuning fraction must be in (0, 1), got " + tuningFraction);
    }
  }

  /** The defaults of the shipped model: 15, 30 and 60 minutes, threshold 80 %. */
  public static TrainingConfig defaults() {
    return new TrainingConfig(
        "vmdna-forecast",
        List.of(3, 6, 12),
        List.of(80.0),
        4,
        0.3,
        150,
        15,
        Math.max(1, Runtime.getRuntime().availableProcessors()),
        0.8,
        42);
  }

  /** A copy with other horizons and thresholds. */
  public TrainingConfig with(List<Integer> horizons, List<Double> thresholdsPct) {
    return new TrainingConfig(
        name,
        horizons,
        thresholdsPct,
        maxDepth,
        eta,
        maxRounds,
        earlyStoppingRounds,
        threads,
        tuningFraction,
        seed);
  }
}
