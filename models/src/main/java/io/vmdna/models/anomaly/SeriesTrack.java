package io.vmdna.models.anomaly;

import io.vmdna.models.predict.SeriesArrays;
import java.util.Arrays;

/**
 * The detectors of one feature (one metric series) of an {@link AnomalyEnsemble}: each turns the
 * newest sample and the series' past into a statistic, larger = more unusual, in robust standard
 * deviations of the day before (the one-class SVM: its negated decision value).
 *
 * <p>Keeps eight days of samples (the daily-pattern detector looks up to seven days back); older
 * ones are dropped. Not thread-safe.
 */
final class SeriesTrack {
  static final int SPIKE = 0;
  static final int CHANGE_POINT = 1;
  static final int EWMA = 2;
  static final int CUSUM = 3;
  static final int DAILY_PATTERN = 4;
  static final int ONE_CLASS_SVM = 5;

  /** Detector names in index order, as alarms report them. */
  static final String[] NAMES = {
    "spike", "change-point", "ewma", "cusum", "daily-pattern", "one-class-svm"
  };

  private static final long DAY_S = 86_400;
  private static final int DAYS_BACK = 7;
  private static final double EWMA_LAMBDA = 0.2;
  private static final double CUSUM_CLIP = 4;
  private static final double CUSUM_UNIT = 4;
  private static final double CUSUM_RESTART = 12;

  private final AnomalyEnsemble.Config config;
  private final int keep;
  private long[] ts;
  private double[] x;
  private int n;
  private long seen;
  private double ewma = Double.NaN;
  private double cusumHigh;
  private double cusumLow;
  private final double[] seasonalResiduals;
  private int seasonalCount;
  private final OneClassWindowModel svm;
  private long nextSvmFit;

  SeriesTrack(AnomalyEnsemble.Config config) {
    this.config = config;
    this.keep = (DAYS_BACK + 1) * config.baseline() + config.recent();
    this.ts = new long[2 * keep];
    this.x = new double[2 * keep];
    this.seasonalResiduals = new double[config.baseline()];
    this.svm =
        new OneClassWindowModel(
            config.svmHistory() / config.svmStride(), config.svmNu(), config.minScale());
    this.nextSvmFit = config.warmUp();
  }

  /**
   * Adds a sample and returns each detector's statistic in {@link #NAMES} order, or null during the
   * warm-up. A statistic is NaN when the detector has nothing to say yet (no earlier days, no
   * trained model).
   */
  double[] update(long timestampS, double value) {
    if (n == x.length) {
      System.arraycopy(x, n - keep, x, 0, keep);
      System.arraycopy(ts, n - keep, ts, 0, keep);
      n = keep;
    }
    ts[n] = timestampS;
    x[n] = value;
    n++;
    seen++;
    int t = n - 1;
    double seasonal = seasonalResidual(t);
    if (seen <= config.warmUp()) {
      remember(seasonal);
      return null;
    }
    int b = config.baseline();
    int r = config.recent();
    double[] base = Arrays.copyOfRange(x, t - b, t);
    double[] sortedBase = base.clone();
    Arrays.sort(sortedBase);
    double med = median(sortedBase);
    double scale = Math.max(config.minScale(), 1.4826 * mad(base, med));
    double noise = noiseScale(base);
    double[] stat = new double[NAMES.length];

    // spike: how far the sample leaves the range of the last day (a daily peak is not novel)
    double lo = sortedBase[0];
    double hi = sortedBase[b - 1];
    stat[SPIKE] = Math.max(Math.max(0, value - hi), Math.max(0, lo - value)) / noise;

    // change point: the last hour's mean against the 5 %..95 % range of the day before it
    double[] before = Arrays.copyOfRange(x, Math.max(0, t - r + 1 - b), t - r + 1);
    double recentMean = mean(x, t - r + 1, t + 1);
    double[] sorted = before.clone();
    Arrays.sort(sorted);
    double p05 = sorted[(int) (0.05 * (sorted.length - 1))];
    double p95 = sorted[(int) Math.ceil(0.95 * (sorted.length - 1))];
    stat[CHANGE_POINT] =
        Math.max(Math.max(0, recentMean - p95), Math.max(0, p05 - recentMean)) / noiseScale(before);

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
    if (seasonalCount >= r && !Double.isNaN(seasonal)) {
      double[] res = Arrays.copyOf(seasonalResiduals, Math.min(seasonalCount, b));
      Arrays.sort(res);
      double resMed = median(res);
      double resScale = Math.max(config.minScale(), 1.4826 * mad(res, resMed));
      double sum = 0;
      int k = 0;
      for (int i = t - r + 1; i <= t; i++) {
        double s = i == t ? seasonal : seasonalResidual(i);
        if (!Double.isNaN(s)) {
          sum += s;
          k++;
        }
      }
      if (k > 0) {
        seasonalMean = sum / k;
        stat[DAILY_PATTERN] = Math.abs(seasonalMean - resMed) / resScale;
      }
    }
    remember(seasonal);

    // one-class SVM on the last hour's window vector, trained on this series' past hours
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

  private void remember(double seasonal) {
    if (Double.isNaN(seasonal)) {
      return;
    }
    seasonalResiduals[seasonalCount % seasonalResiduals.length] = seasonal;
    seasonalCount++;
  }

  /** x[i] minus the median of the values at the same time on up to seven earlier days. */
  private double seasonalResidual(int i) {
    double[] v = new double[DAYS_BACK];
    int k = 0;
    for (int d = 1; d <= DAYS_BACK; d++) {
      int j = SeriesArrays.indexNear(ts, ts[i] - d * DAY_S, i - 1);
      if (j >= 0) {
        v[k++] = x[j];
      }
    }
    if (k == 0) {
      return Double.NaN;
    }
    double[] s = Arrays.copyOf(v, k);
    Arrays.sort(s);
    return x[i] - median(s);
  }

  /**
   * The sample-to-sample noise of a window: the robust spread of its first differences over √2,
   * floored at {@code minScale}. Unlike the spread of the values it does not grow with a daily
   * wave, which the range-based detectors already allow for.
   */
  private double noiseScale(double[] w) {
    double[] d = new double[w.length - 1];
    for (int i = 1; i < w.length; i++) {
      d[i - 1] = w[i] - w[i - 1];
    }
    double[] sd = d.clone();
    Arrays.sort(sd);
    return Math.max(config.minScale(), 1.4826 * mad(d, median(sd)) / Math.sqrt(2));
  }

  private static double mean(double[] v, int from, int to) {
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

  /** The median absolute deviation from {@code med}. */
  static double mad(double[] v, double med) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = Math.abs(v[i] - med);
    }
    Arrays.sort(d);
    return median(d);
  }
}
