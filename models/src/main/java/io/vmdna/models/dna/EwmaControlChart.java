package io.vmdna.models.dna;

/**
 * A per-VM baseline with an EWMA control chart on one metric (the backbone uses CPU MHz).
 *
 * <p>During warm-up ({@code warmUpSamples}) the baseline mean and variance are learned from every
 * sample (Welford) and no alarm is raised. After it, the baseline adapts slowly (exponential
 * forgetting with weight {@code baselineAlpha}) and the chart statistic {@code z = λx + (1-λ)z} is
 * compared with control limits {@code μ ± L·σ·sqrt(λ/(2-λ))}. The score is the distance of z from μ
 * in units of the limit, mapped to [0, 1] by {@code d / (1 + d)}; a value above 0.5 means outside
 * the limits. σ is floored at {@code minSigmaFraction} of the baseline mean, so a VM that was
 * almost constant during warm-up does not alarm on every small wobble.
 *
 * <p>A lasting change of behaviour alarms for {@code relearnAfter} consecutive samples; then the
 * baseline moves to the new level (the change is reported, and is not reported forever).
 *
 * <p>The chart itself is immutable configuration; its {@link State} is an immutable value the
 * caller keeps (Flink keyed state), so this class is thread-safe.
 *
 * @param lambda EWMA weight of the newest sample, (0, 1]
 * @param limitSigmas L, the width of the control limits in standard deviations of z
 * @param warmUpSamples samples used to learn the baseline before any alarm
 * @param baselineAlpha weight of a new in-control sample in the slowly adapting baseline
 * @param minSigmaFraction lower bound of σ as a fraction of the baseline mean, >= 0
 * @param relearnAfter consecutive alarms after which the baseline moves to the new level, >= 1
 */
public record EwmaControlChart(
    double lambda,
    double limitSigmas,
    int warmUpSamples,
    double baselineAlpha,
    double minSigmaFraction,
    int relearnAfter)
    implements java.io.Serializable {

  /**
   * Defaults: λ 0.3, L 3, four hours of 5-minute samples as warm-up, slow adaptation 0.005, σ at
   * least 10 % of the mean, re-baseline after an hour of consecutive alarms.
   */
  public static EwmaControlChart defaults() {
    return new EwmaControlChart(0.3, 3.0, 48, 0.005, 0.10, 12);
  }

  /** Validates the configuration. */
  public EwmaControlChart {
    if (!(lambda > 0 && lambda <= 1)) {
      throw new IllegalArgumentException("lambda must be in (0, 1], was " + lambda);
    }
    if (!(limitSigmas > 0)) {
      throw new IllegalArgumentException("limitSigmas must be > 0, was " + limitSigmas);
    }
    if (warmUpSamples < 2) {
      throw new IllegalArgumentException("warmUpSamples must be >= 2, was " + warmUpSamples);
    }
    if (!(baselineAlpha > 0 && baselineAlpha < 1)) {
      throw new IllegalArgumentException("baselineAlpha must be in (0, 1), was " + baselineAlpha);
    }
    if (!(minSigmaFraction >= 0)) {
      throw new IllegalArgumentException("minSigmaFraction must be >= 0, was " + minSigmaFraction);
    }
    if (relearnAfter < 1) {
      throw new IllegalArgumentException("relearnAfter must be >= 1, was " + relearnAfter);
    }
  }

  /**
   * The chart's state for one VM.
   *
   * @param n samples seen
   * @param mean baseline mean
   * @param m2 Welford sum of squared deviations during warm-up; variance × n afterwards
   * @param z the EWMA statistic
   * @param run consecutive out-of-control samples so far
   */
  public record State(long n, double mean, double m2, double z, int run) {
    /** The state before any sample. */
    public static State empty() {
      return new State(0, 0, 0, 0, 0);
    }

    /** Baseline variance. */
    public double variance() {
      return n < 2 ? 0 : m2 / (n - 1);
    }
  }

  /**
   * Result of one update.
   *
   * @param state the new state to keep
   * @param score anomaly score in [0, 1]; 0 during warm-up
   * @param anomalous whether z is outside the control limits (never during warm-up)
   */
  public record Result(State state, double score, boolean anomalous) {}

  /** Adds a sample and returns the new state and the chart's verdict. Pure function. */
  public Result update(State s, double x) {
    if (!Double.isFinite(x)) {
      throw new IllegalArgumentException("control chart value must be finite, was " + x);
    }
    long n = s.n() + 1;
    if (n <= warmUpSamples) {
      double delta = x - s.mean();
      double mean = s.mean() + delta / n;
      double m2 = s.m2() + delta * (x - mean);
      double z = n == 1 ? x : lambda * x + (1 - lambda) * s.z();
      return new Result(new State(n, mean, m2, z, 0), 0, false);
    }
    double z = lambda * x + (1 - lambda) * s.z();
    double sigma = Math.max(Math.sqrt(s.variance()), minSigmaFraction * Math.abs(s.mean()));
    double limit = limitSigmas * Math.max(sigma, 1e-9) * Math.sqrt(lambda / (2 - lambda));
    double d = Math.abs(z - s.mean()) / limit;
    boolean anomalous = d > 1;
    double mean = s.mean();
    double var = s.variance();
    int run = anomalous ? s.run() + 1 : 0;
    if (!anomalous) {
      // adapt slowly, and only to in-control data, so a shift is not absorbed before it is seen
      double delta = x - mean;
      mean += baselineAlpha * delta;
      var = (1 - baselineAlpha) * (var + baselineAlpha * delta * delta);
    } else if (run >= relearnAfter) {
      // the change has lasted: it is the new normal, so move the baseline there
      mean = z;
      run = 0;
    }
    State next = new State(n, mean, var * (n - 1), z, run);
    return new Result(next, d / (1 + d), anomalous);
  }
}
