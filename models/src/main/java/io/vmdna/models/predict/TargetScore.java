package io.vmdna.models.predict;

/**
 * Sums, over forecasts, the absolute error of a target's p50 beside the persistence (the value at
 * {@code t}) and seasonal-naive (the value a day, 288 samples, before the target; the value at
 * {@code t} while there is no such day) baselines, and how many actuals fell at or under p90.
 * Forecasts whose actual or baselines the series does not give are left out. Not thread-safe.
 */
public final class TargetScore {
  private static final int DAY = 288;

  private final Target target;
  private final int horizon;
  private double model;
  private double persistence;
  private double naive;
  private long covered;
  private long count;

  /** A score for {@code target} at {@code horizon} samples ahead. */
  public TargetScore(Target target, int horizon) {
    this.target = target;
    this.horizon = horizon;
  }

  /**
   * Adds the forecasts made at indices {@code from..} while their target is in the series.
   *
   * @param q {@code [0]} p50 and {@code [1]} p90 per row, in the target's unit
   * @param rowOfIndex0 the row of {@code q} that would hold index 0 (row of {@code t} = {@code
   *     rowOfIndex0 + t})
   */
  public void add(SeriesArrays a, double[][] q, int rowOfIndex0, int from) {
    for (int t = from; t + horizon < a.size(); t++) {
      double actual = target.value(a, t + horizon);
      double now = target.value(a, t);
      int day = t + horizon - DAY;
      double yday = target.value(a, day >= 0 ? day : t);
      if (Double.isFinite(actual) && Double.isFinite(now) && Double.isFinite(yday)) {
        int row = rowOfIndex0 + t;
        model += Math.abs(q[0][row] - actual);
        persistence += Math.abs(now - actual);
        naive += Math.abs(yday - actual);
        covered += actual <= q[1][row] ? 1 : 0;
        count++;
      }
    }
  }

  /** The target. */
  public Target target() {
    return target;
  }

  /** Horizon, samples. */
  public int horizon() {
    return horizon;
  }

  /** Forecasts scored. */
  public long count() {
    return count;
  }

  /** MAE of the p50 forecast, in the target's unit. */
  public double maeModel() {
    return model / count;
  }

  /** MAE of persistence. */
  public double maePersistence() {
    return persistence / count;
  }

  /** MAE of seasonal-naive. */
  public double maeSeasonalNaive() {
    return naive / count;
  }

  /** Share of actuals at or under p90. */
  public double p90Coverage() {
    return (double) covered / count;
  }
}
