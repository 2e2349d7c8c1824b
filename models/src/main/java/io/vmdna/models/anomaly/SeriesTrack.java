package io.vmdna.models.anomaly;

import io.vmdna.models.predict.SeriesArrays;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The detectors of one feature (one metric series) of an {@link AnomalyEnsemble}: each turns the
 * newest sample and the series' past into a statistic, larger = more unusual, in robust standard
 * deviations of the day before (the one-class SVM: its negated decision value).
 *
 * <p>The {@code level} detector compares the mean of the last six hours with the same six hours on
 * up to seven earlier days (their median), and that residual with the residuals of the past week: a
 * level that rises by a few points an hour is inside every hour's and every day's usual range for a
 * while, yet after a day it stands well above any earlier day at that time.
 *
 * <p>Keeps eight days of samples (the daily-pattern detector looks up to seven days back) as {@code
 * float}s (a value is rounded to a float as it arrives, so the track behaves the same before and
 * after {@link #write} / {@link #readState}); older ones are dropped. Without the SVM (see {@link
 * AnomalyEnsemble.Config#oneClassSvm()}) its statistic is always NaN. Not thread-safe.
 */
final class SeriesTrack {
  static final int SPIKE = 0;
  static final int PEAK = 1;
  static final int CHANGE_POINT = 2;
  static final int EWMA = 3;
  static final int CUSUM = 4;
  static final int DAILY_PATTERN = 5;
  static final int LEVEL = 6;
  static final int ONE_CLASS_SVM = 7;

  /** Detector names in index order, as alarms report them. */
  static final String[] NAMES = {
    "spike", "peak", "change-point", "ewma", "cusum", "daily-pattern", "level", "one-class-svm"
  };

  /**
   * The share of the day's range (the day before the sample, the burst included) a one-sample burst
   * must rise above both neighbours to count for the peak detector. Chosen on July of the Bitbrains
   * sample (0.7, 0.8, 0.9 tried: 0.9 alone kept July's false alarms within one per VM-week).
   */
  static final double PEAK_SHARE = 0.9;

  private static final long DAY_S = 86_400;
  private static final int DAYS_BACK = 7;
  private static final double EWMA_LAMBDA = 0.2;
  private static final double CUSUM_CLIP = 4;
  private static final double CUSUM_UNIT = 4;
  private static final double CUSUM_RESTART = 12;

  /**
   * Samples in the level detector's span (6 h of 5-minute samples). On July of the Bitbrains
   * sample, 3 h (36), 6 h and 12 h (144) were tried: 6 h caught the most injected drifts at the
   * fewest false alarms.
   */
  static final int LEVEL_SPAN = 72;

  /** The level detector keeps one residual in this many in its week of past residuals. */
  static final int LEVEL_STRIDE = 6;

  /**
   * Fixed-point units per unit of a metric in the level detector's sums (2^12: a resolution of
   * 0.00024; a value may be up to about 10^11 before a week of sums could overflow).
   */
  private static final double SUM_UNIT = 4096;

  private final AnomalyEnsemble.Config config;
  private final int keep;
  private long[] ts;
  private float[] x;
  private int n;
  private long seen;
  private double ewma = Double.NaN;
  private double cusumHigh;
  private double cusumLow;
  // order statistics of sliding windows, updated in place (no sort per sample)
  private SortedWindow base; // the day before the current sample
  private SortedWindow before; // the day before the last hour
  private SortedWindow steps; // first differences within the day before
  private SortedWindow residuals; // seasonal residuals of the day before
  private final double[] recentResiduals; // the last hour's residuals, NaN where none
  private final OneClassWindowModel svm; // null without the SVM
  // cum[i]: the sum of x[0..i] in fixed point (units of 1 / SUM_UNIT), rebuilt when the samples
  // move: integer sums are exact, so a window's sum does not depend on where the sums started
  // (a restored track, which holds fewer samples, sums exactly as the one that wrote it)
  private final long[] cum;
  private SortedWindow levels; // level residuals of the past week, one in LEVEL_STRIDE
  private final int[] sameTime = new int[DAYS_BACK]; // the sample's index on earlier days
  private long nextSvmFit;

  SeriesTrack(AnomalyEnsemble.Config config) {
    this.config = config;
    this.keep = (DAYS_BACK + 1) * config.baseline() + config.recent();
    // a quarter of spare room: the oldest samples are dropped in one move when it is full
    this.ts = new long[keep + Math.max(1, keep / 4)];
    this.x = new float[ts.length];
    this.base = new SortedWindow(config.baseline());
    this.before = new SortedWindow(config.baseline());
    this.steps = new SortedWindow(config.baseline() - 1);
    this.residuals = new SortedWindow(config.baseline());
    this.cum = new long[ts.length];
    this.levels = new SortedWindow(DAYS_BACK * config.baseline() / LEVEL_STRIDE);
    this.recentResiduals = new double[config.recent()];
    Arrays.fill(recentResiduals, Double.NaN);
    this.svm =
        config.oneClassSvm()
            ? new OneClassWindowModel(
                config.svmHistory() / config.svmStride(), config.svmNu(), config.minScale())
            : null;
    this.nextSvmFit = config.warmUp();
  }

  /**
   * Adds a sample and returns each detector's statistic in {@link #NAMES} order, or null during the
   * warm-up. A statistic is NaN when the detector has nothing to say yet (no earlier days, no
   * trained model).
   */
  double[] update(long timestampS, double newValue) {
    double value = (float) newValue;
    if (n == x.length) {
      System.arraycopy(x, n - keep, x, 0, keep);
      System.arraycopy(ts, n - keep, ts, 0, keep);
      n = keep;
      rebuildSums();
    }
    ts[n] = timestampS;
    x[n] = (float) value;
    cum[n] = (n == 0 ? 0 : cum[n - 1]) + Math.round(x[n] * SUM_UNIT);
    n++;
    seen++;
    int t = n - 1;
    int days = sameTimeOnEarlierDays(t);
    double seasonal = seasonalResidual(t, days);
    double[] stat = seen <= config.warmUp() ? null : statistics(t, value, seasonal, days);
    remember(t, value, seasonal);
    return stat;
  }

  private double[] statistics(int t, double value, double seasonal, int days) {
    int r = config.recent();
    double med = base.median();
    double scale = Math.max(config.minScale(), base.mad(med) * 1.4826);
    // sample-to-sample noise: unlike the spread of the values it does not grow with a daily wave,
    // which the range-based detectors already allow for
    double noise = Math.max(config.minScale(), steps.robustSd() / Math.sqrt(2));
    double[] stat = new double[NAMES.length];

    // spike: how far the sample leaves the range of the last day (a daily peak is not novel)
    stat[SPIKE] =
        Math.max(Math.max(0, value - base.max()), Math.max(0, base.min() - value)) / noise;

    // peak: the sample before this one stood above both of its neighbours by nearly the whole
    // range of the day, a one-sample burst. On a VM that reaches 100 % every day a burst to 100 is
    // inside the day's range, which the spike detector cannot see; the VM's own swings last (they
    // rise and stay, or fall and stay), so they seldom make one. Smaller bursts count as 0, so the
    // calibration's past is not filled with the ordinary wobble of a busy VM
    stat[PEAK] = Double.NaN;
    if (t >= 2) {
      double prominence = Math.max(0, Math.min(x[t - 1] - x[t - 2], x[t - 1] - value));
      stat[PEAK] = prominence >= PEAK_SHARE * (base.max() - base.min()) ? prominence / noise : 0;
    }

    // change point: the last hour's mean against the 5 %..95 % range of the day before it
    double recentMean = mean(x, t - r + 1, t + 1);
    stat[CHANGE_POINT] =
        Math.max(
                Math.max(0, recentMean - before.upper(0.95)),
                Math.max(0, before.lower(0.05) - recentMean))
            / noise;

    // EWMA control chart against the day's median, in the EWMA's own standard deviations
    ewma = Double.isNaN(ewma) ? med : EWMA_LAMBDA * value + (1 - EWMA_LAMBDA) * ewma;
    stat[EWMA] = Math.abs(ewma - med) / (scale * Math.sqrt(EWMA_LAMBDA / (2 - EWMA_LAMBDA)));

    // CUSUM of standardised samples (slow drifts), each clipped so that one burst cannot fill it;
    // reported as the sum over CUSUM_UNIT and restarted once it passes the decision interval
    double z = Math.max(-CUSUM_CLIP, Math.min(CUSUM_CLIP, (value - med) / scale));
    cusumHigh = Math.max(0, cusumHigh + z - config.cusumK());
    cusumLow = Math.max(0, cusumLow - z - config.cusumK());
    stat[CUSUM] = Math.max(cusumHigh, cusumLow) / CUSUM_UNIT;
    if (stat[CUSUM] >= CUSUM_RESTART) {
      cusumHigh = 0;
      cusumLow = 0;
    }

    // daily pattern: the last hour's residuals against earlier days at the same time
    stat[DAILY_PATTERN] = Double.NaN;
    double seasonalMean = Double.NaN;
    if (residuals.size() >= r && !Double.isNaN(seasonal)) {
      double sum = seasonal;
      int k = 1;
      for (int i = 1; i < r; i++) { // the hour's earlier residuals (the newest is not yet kept)
        double res = recentResiduals[(int) Math.floorMod(seen - 1 - i, (long) r)];
        if (!Double.isNaN(res)) {
          sum += res;
          k++;
        }
      }
      seasonalMean = sum / k;
      double resScale = Math.max(config.minScale(), residuals.robustSd());
      stat[DAILY_PATTERN] = Math.abs(seasonalMean - residuals.median()) / resScale;
    }

    // level: the last six hours against the same hours on earlier days, in the spread of that
    // residual over the past week (a slow drift: see the class comment). Its calibration sees a
    // statistic only a day after it (AnomalyEnsemble), so a drift does not teach it that ever
    // higher levels are normal
    stat[LEVEL] = Double.NaN;
    double level = levelResidual(t, days);
    if (!Double.isNaN(level)) {
      if (levels.size() >= config.baseline() / LEVEL_STRIDE) {
        double sd = Math.max(config.minScale() / Math.sqrt(LEVEL_SPAN), levels.robustSd());
        stat[LEVEL] = Math.abs(level - levels.median()) / sd;
      }
      if (seen % LEVEL_STRIDE == 0) {
        levels.add(level);
      }
    }

    // one-class SVM on the last hour's window vector, trained on this series' past hours
    if (svm == null) {
      stat[ONE_CLASS_SVM] = Double.NaN;
      return stat;
    }
    double[] window = windowVector(t, Double.isNaN(seasonalMean) ? 0 : seasonalMean);
    stat[ONE_CLASS_SVM] = svm.outside(window);
    if (seen % config.svmStride() == 0) {
      svm.add(window);
    }
    if (seen >= nextSvmFit) {
      svm.fit();
      nextSvmFit = seen + config.svmRefitEvery();
    }
    return stat;
  }

  /**
   * Writes the track's state (the samples kept, the windows, the charts' sums); the settings are
   * the ensemble's. About 12 bytes per sample kept plus 4 per window slot.
   *
   * @throws UnsupportedOperationException with the per-series SVM, whose fitted model is not
   *     written
   */
  void write(DataOutput out) throws IOException {
    if (svm != null) {
      throw new UnsupportedOperationException(
          "an ensemble with the per-series one-class SVM cannot be written; use a Config without"
              + " it (Config.streaming())");
    }
    int from = Math.max(0, n - keep); // the spare room's extra samples are never read again
    out.writeInt(n - from);
    out.writeLong(seen);
    for (int i = from; i < n; i++) {
      out.writeLong(ts[i]);
      out.writeFloat(x[i]);
    }
    out.writeDouble(ewma);
    out.writeDouble(cusumHigh);
    out.writeDouble(cusumLow);
    base.write(out);
    before.write(out);
    steps.write(out);
    residuals.write(out);
    for (double r : recentResiduals) {
      out.writeDouble(r);
    }
    levels.write(out);
  }

  /**
   * Replaces this (new) track's state with one {@link #write} wrote under the same settings.
   *
   * @param withLevels whether the state holds the level detector's residuals (written since
   *     ensemble format 3); without them the level detector starts its week of residuals empty
   * @throws IOException if the input is malformed or written under other settings
   */
  void readState(DataInput in, boolean withLevels) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > keep) {
      throw new IOException("anomaly track: %d samples, at most %d kept".formatted(count, keep));
    }
    n = count;
    seen = in.readLong();
    for (int i = 0; i < n; i++) {
      ts[i] = in.readLong();
      x[i] = in.readFloat();
    }
    ewma = in.readDouble();
    cusumHigh = in.readDouble();
    cusumLow = in.readDouble();
    base = sameSize(SortedWindow.read(in), base, "baseline");
    before = sameSize(SortedWindow.read(in), before, "baseline before the hour");
    steps = sameSize(SortedWindow.read(in), steps, "steps");
    residuals = sameSize(SortedWindow.read(in), residuals, "seasonal residuals");
    for (int i = 0; i < recentResiduals.length; i++) {
      recentResiduals[i] = in.readDouble();
    }
    if (withLevels) {
      levels = sameSize(SortedWindow.read(in), levels, "level residuals");
    }
    rebuildSums();
  }

  private static SortedWindow sameSize(SortedWindow read, SortedWindow now, String what)
      throws IOException {
    if (read.capacity() != now.capacity()) {
      throw new IOException(
          "anomaly track: %s window of %d, expected %d"
              .formatted(what, read.capacity(), now.capacity()));
    }
    return read;
  }

  /** Moves the sliding windows past sample {@code t}: after this they end at it. */
  private void remember(int t, double value, double seasonal) {
    base.add(value);
    if (t >= 1) {
      steps.add(value - x[t - 1]);
    }
    int lagged = t - config.recent() + 1;
    if (lagged >= 0) {
      before.add(x[lagged]);
    }
    if (!Double.isNaN(seasonal)) {
      residuals.add(seasonal);
    }
    recentResiduals[(int) ((seen - 1) % config.recent())] = seasonal;
  }

  private double[] windowVector(int t, double seasonalMean) {
    int r = config.recent();
    int from = t - r + 1;
    double m = mean(x, from, t + 1);
    double var = 0;
    double max = -Double.MAX_VALUE;
    double min = Double.MAX_VALUE;
    double sxy = 0;
    double sxx = 0;
    for (int i = from; i <= t; i++) {
      var += (x[i] - m) * (x[i] - m);
      max = Math.max(max, x[i]);
      min = Math.min(min, x[i]);
      double c = i - from - (r - 1) / 2.0;
      sxy += c * (x[i] - m);
      sxx += c * c;
    }
    double slope = sxx == 0 ? 0 : sxy / sxx * r;
    return new double[] {m, Math.sqrt(var / r), max, min, slope, seasonalMean};
  }

  /**
   * Fills {@link #sameTime} with the index of the sample at the same time of day on each of up to
   * seven earlier days that has one; returns how many.
   */
  private int sameTimeOnEarlierDays(int t) {
    int k = 0;
    for (int d = 1; d <= DAYS_BACK; d++) {
      int j = SeriesArrays.indexNear(ts, ts[t] - d * DAY_S, t - 1);
      if (j >= 0) {
        sameTime[k++] = j;
      }
    }
    return k;
  }

  /**
   * The mean of the {@link #LEVEL_SPAN} samples ending at {@code t} minus the median of the same
   * span on the earlier days of {@link #sameTime}; NaN without one.
   */
  private double levelResidual(int t, int days) {
    int w = LEVEL_SPAN;
    if (t < w) {
      return Double.NaN;
    }
    double[] v = new double[days];
    int k = 0;
    for (int d = 0; d < days; d++) {
      int j = sameTime[d];
      if (j >= w) {
        v[k++] = (cum[j] - cum[j - w]) / SUM_UNIT / w;
      }
    }
    if (k == 0) {
      return Double.NaN;
    }
    // a day too early for a whole span is rare: copy only then (this runs on every sample)
    double[] sorted = k == days ? v : Arrays.copyOf(v, k);
    Arrays.sort(sorted);
    return (cum[t] - cum[t - w]) / SUM_UNIT / w - median(sorted);
  }

  /** Recomputes {@link #cum} from the samples kept (after they moved, or were read). */
  private void rebuildSums() {
    long c = 0;
    for (int i = 0; i < n; i++) {
      c += Math.round(x[i] * SUM_UNIT);
      cum[i] = c;
    }
  }

  /** x[i] minus the median of the values at the same time on the earlier days of sameTime. */
  private double seasonalResidual(int i, int days) {
    if (days == 0) {
      return Double.NaN;
    }
    double[] s = new double[days];
    for (int d = 0; d < days; d++) {
      s[d] = x[sameTime[d]];
    }
    Arrays.sort(s);
    return x[i] - median(s);
  }

  private static double mean(float[] v, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += v[i];
    }
    return s / (to - from);
  }

  /** The median of values sorted ascending. */
  static double median(double[] sorted) {
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }
}
