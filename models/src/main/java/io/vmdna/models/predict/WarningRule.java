package io.vmdna.models.predict;

import io.vmdna.models.eval.ForecastEvaluation;

/**
 * The model's warning rule: a warning announces a <em>new</em> overload. The model warns at sample
 * {@code s} for horizon {@code h} when
 *
 * <ul>
 *   <li>its calibrated probability that CPU % exceeds the threshold at some sample in {@code (s,
 *       s+h]} is at least the cut-off tuned for that horizon ({@code warnAt}), and
 *   <li>CPU % was at or below the threshold at {@code s} and at the {@code 12 − h} samples before
 *       it ({@link #quietSamples}: {@code 13 − h} samples in all, at least {@code s} itself).
 * </ul>
 *
 * <p>Why the quiet samples: an overload episode starts with an onset, an exceedance after {@link
 * ForecastEvaluation#CALM_BEFORE_ONSET} (12) samples at or below the threshold. Within {@code 12 −
 * h} samples of the last exceedance, no exceedance in {@code (s, s+h]} can be an onset: it would
 * continue the episode that is already under way (and already in view: the host view acts on
 * current load), not start a new one. Warnings there cannot announce anything new, and they are
 * false whenever the episode ends, so the rule leaves them out: at the 30-minute cut-off (0.06) on
 * August's tuning window it takes the false warnings from 24.0 to 18.9 per VM-day and keeps every
 * warning that came before an onset. For a 60-minute horizon the rule needs {@code s} alone to be
 * quiet.
 *
 * <p>Stateless and thread-safe.
 */
public final class WarningRule {

  private WarningRule() {}

  /**
   * Samples that must be at or below the threshold for a warning at {@code s}: {@code s} and the
   * {@code 12 − h} before it, at least 1.
   *
   * @param h horizon, samples (≥ 1)
   */
  public static int quietSamples(int h) {
    if (h < 1) {
      throw new IllegalArgumentException("horizon must be at least 1 sample, was " + h);
    }
    return Math.max(1, ForecastEvaluation.CALM_BEFORE_ONSET + 1 - h);
  }

  /**
   * The warnings of consecutive forecasts.
   *
   * @param pWithin calibrated probabilities of exceeding the threshold within the horizon; row
   *     {@code r} is {@code pWithin[pFrom + r]}
   * @param pFrom index of row 0 in {@code pWithin}
   * @param rows number of forecasts
   * @param warnAt the cut-off on {@code pWithin}
   * @param cpuPct the CPU % series the forecasts were made on; row {@code r} is made at index
   *     {@code first + r} (samples before index 0 count as quiet)
   * @param first series index of row 0
   * @param thresholdPct the CPU % threshold
   * @param h horizon, samples
   * @return one flag per row
   * @throws IllegalArgumentException when the rows run past {@code pWithin} or {@code cpuPct}
   */
  public static boolean[] apply(
      double[] pWithin,
      int pFrom,
      int rows,
      double warnAt,
      double[] cpuPct,
      int first,
      double thresholdPct,
      int h) {
    if (pFrom < 0 || first < 0 || rows < 0) {
      throw new IllegalArgumentException(
          "negative index: pFrom %d, first %d, rows %d".formatted(pFrom, first, rows));
    }
    if (pFrom + rows > pWithin.length || first + rows > cpuPct.length) {
      throw new IllegalArgumentException(
          "%d rows from %d run past the %d probabilities or, from %d, the %d CPU samples"
              .formatted(rows, pFrom, pWithin.length, first, cpuPct.length));
    }
    int quiet = quietSamples(h);
    boolean[] warn = new boolean[rows];
    // the index of the latest sample above the threshold at or before the current one
    int lastHigh = Integer.MIN_VALUE / 2;
    for (int i = Math.max(0, first - quiet); i < first; i++) {
      if (cpuPct[i] > thresholdPct) {
        lastHigh = i;
      }
    }
    for (int r = 0; r < rows; r++) {
      int i = first + r;
      if (cpuPct[i] > thresholdPct) {
        lastHigh = i;
      }
      warn[r] = pWithin[pFrom + r] >= warnAt && i - lastHigh >= quiet;
    }
    return warn;
  }
}
