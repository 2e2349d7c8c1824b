package io.vmdna.models.eval;

import io.vmdna.models.VmSample;
import java.util.List;

/**
 * Walks forward through each VM's series (only the past at each step) and scores a forecaster on
 * the part after {@code fromFraction}, with the definitions of the Resource Prediction Engine's
 * evaluation (sample index t, horizon h samples, threshold 80):
 *
 * <ul>
 *   <li>MAE of CPU % of the p50 forecast made at t for t+h;
 *   <li>onset at t: CPU % above the threshold at t and at or below it for the 12 samples before;
 *   <li>warning at s: CPU % at or below the threshold at s, and the forecaster warns for s+h;
 *   <li>caught onset: a warning at some s with t−h ≤ s ≤ t−3 (at least 15 minutes ahead);
 *   <li>false warning: a warning at s with no sample above the threshold in (s, s+h], counted per
 *       VM-day of scored samples;
 *   <li>p90 coverage: share of actuals at or under the p90 forecast.
 * </ul>
 *
 * Stateless; {@link #score} is thread-safe.
 *
 * @param fromFraction where scoring starts in each series, [0, 1)
 * @param threshold CPU % threshold
 */
public record ForecastEvaluation(double fromFraction, double threshold) {
  /** Samples before an onset that must stay at or below the threshold. */
  public static final int CALM_BEFORE_ONSET = 12;

  /** Minimum lead of a caught onset, samples (15 minutes). */
  public static final int MIN_LEAD = 3;

  /** Validates. */
  public ForecastEvaluation {
    if (!(fromFraction >= 0 && fromFraction < 1)) {
      throw new IllegalArgumentException("--from-fraction must be in [0, 1), was " + fromFraction);
    }
  }

  /**
   * The scores of one forecaster at one horizon, summed over VMs.
   *
   * @param forecaster its name
   * @param horizon samples ahead
   * @param forecasts forecasts scored (for the MAE)
   * @param absErrorSum Σ |p50 − actual|
   * @param covered actuals at or under p90
   * @param onsets onsets in the scored part
   * @param caught onsets warned of at least 15 minutes ahead
   * @param warnings warnings issued
   * @param falseWarnings warnings with no exceedance within the horizon
   * @param vmDays VM-days of scored samples
   */
  public record Score(
      String forecaster,
      int horizon,
      long forecasts,
      double absErrorSum,
      long covered,
      long onsets,
      long caught,
      long warnings,
      long falseWarnings,
      double vmDays) {

    /** Mean absolute error of CPU %. */
    public double mae() {
      return forecasts == 0 ? Double.NaN : absErrorSum / forecasts;
    }

    /** Share of onsets caught at least 15 minutes ahead. */
    public double caughtShare() {
      return onsets == 0 ? Double.NaN : (double) caught / onsets;
    }

    /** False warnings per VM-day. */
    public double falseWarningsPerVmDay() {
      return vmDays == 0 ? Double.NaN : falseWarnings / vmDays;
    }

    /** Share of actuals at or under p90. */
    public double p90Coverage() {
      return forecasts == 0 ? Double.NaN : (double) covered / forecasts;
    }

    /** Adds another VM's score (same forecaster and horizon). */
    public Score plus(Score o) {
      return new Score(
          forecaster,
          horizon,
          forecasts + o.forecasts,
          absErrorSum + o.absErrorSum,
          covered + o.covered,
          onsets + o.onsets,
          caught + o.caught,
          warnings + o.warnings,
          falseWarnings + o.falseWarnings,
          vmDays + o.vmDays);
    }
  }

  /** Scores a forecaster on one VM's series at horizon {@code h} samples. */
  public Score score(CpuForecaster f, List<VmSample> s, int h) {
    int n = s.size();
    int start = (int) Math.floor(n * fromFraction);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = s.get(i).cpuUsagePct();
    }
    long forecasts = 0;
    long covered = 0;
    double absErr = 0;
    boolean[] warnedAt = new boolean[n];
    long warnings = 0;
    long falseWarnings = 0;
    for (int t = Math.max(start - h, 0); t + h < n; t++) {
      CpuForecaster.Prediction p = f.predict(s, t, h, threshold);
      if (t >= start) {
        forecasts++;
        absErr += Math.abs(p.p50() - x[t + h]);
        covered += x[t + h] <= p.p90() ? 1 : 0;
      }
      if (p.warn() && x[t] <= threshold) {
        warnedAt[t] = true;
        if (t >= start) {
          warnings++;
          boolean exceeded = false;
          for (int u = t + 1; u <= t + h; u++) {
            exceeded |= x[u] > threshold;
          }
          falseWarnings += exceeded ? 0 : 1;
        }
      }
    }
    long onsets = 0;
    long caught = 0;
    for (int t = Math.max(start, CALM_BEFORE_ONSET); t < n; t++) {
      if (x[t] <= threshold) {
        continue;
      }
      boolean calm = true;
      for (int u = t - CALM_BEFORE_ONSET; u < t; u++) {
        calm &= x[u] <= threshold;
      }
      if (!calm) {
        continue;
      }
      onsets++;
      for (int u = Math.max(0, t - h); u <= t - MIN_LEAD; u++) {
        if (warnedAt[u]) {
          caught++;
          break;
        }
      }
    }
    double vmDays = Math.max(0, n - start) * 300.0 / 86_400;
    return new Score(
        f.name(), h, forecasts, absErr, covered, onsets, caught, warnings, falseWarnings, vmDays);
  }
}
