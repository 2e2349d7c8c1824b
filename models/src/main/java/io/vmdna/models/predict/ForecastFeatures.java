package io.vmdna.models.predict;

import java.util.List;

/**
 * The feature vector the forecast models read: recent history (lags, rolling statistics over the
 * last hour, 6 hours and day), the same time on earlier days (yesterday, two days and a week ago,
 * and over the last seven days), the target's time of day and day of week, and the VM's size and
 * other resources (its DNA at the time of the forecast). A value that the history cannot give (a
 * lag before the first sample, a day with a gap at that time) is {@link Float#NaN}: XGBoost treats
 * it as missing, so a VM with little history still gets a forecast.
 *
 * <p>Causal: the features for index {@code t} read samples {@code 0..t} only. Rolling windows count
 * samples (12 = one hour at the 5-minute interval); same-time lookups are aligned on timestamps
 * within {@link SeriesArrays#LOOKUP_TOLERANCE_S}, so gaps do not shift them.
 *
 * <p>Stateless and thread-safe. The names and their order are the model's schema: changing them
 * changes {@link #SCHEMA_VERSION} and needs a retrained model.
 */
public final class ForecastFeatures {

  /** Version of the feature schema; stored in every model manifest. */
  public static final int SCHEMA_VERSION = 2;

  /** The sample interval the models assume, seconds. */
  public static final long SAMPLE_INTERVAL_S = 300;

  /** CPU % level that the "time above" features count. */
  public static final double HIGH_CPU_PCT = 80;

  private static final long DAY_S = 86_400;

  /** Feature names, in the order of the vector. */
  public static final List<String> NAMES =
      List.of(
          "cpu_now",
          "cpu_lag1_rel",
          "cpu_lag2_rel",
          "cpu_lag3_rel",
          "cpu_lag6_rel",
          "cpu_lag12_rel",
          "cpu_mean_1h_rel",
          "cpu_std_1h",
          "cpu_max_1h_rel",
          "cpu_min_1h_rel",
          "cpu_slope_1h",
          "cpu_mean_6h_rel",
          "cpu_max_6h_rel",
          "cpu_mean_24h_rel",
          "cpu_std_24h",
          "cpu_max_24h_rel",
          "cpu_frac_high_24h",
          "cpu_yday_at_target_rel",
          "cpu_yday_max_around_target_rel",
          "cpu_yday_delta",
          "cpu_2d_at_target_rel",
          "cpu_week_at_target_rel",
          "cpu_mean_same_time_7d_rel",
          "cpu_max_same_time_7d_rel",
          "cpu_frac_high_same_time_7d",
          "cpu_frac_high_around_target_7d",
          "cpu_max_around_target_7d_rel",
          "target_tod_sin",
          "target_tod_cos",
          "target_hour",
          "target_dow",
          "cpu_cores",
          "cpu_provisioned_mhz",
          "mem_now",
          "mem_mean_1h",
          "mem_slope_6h",
          "mem_yday_at_target",
          "net_log_now",
          "net_log_mean_1h",
          "net_log_max_1h",
          "net_log_yday_at_target",
          "disk_log_now",
          "history_hours",
          "peer_cpu_at_target_rel",
          "peer_frac_high_at_target");

  /** Length of the vector. */
  public static final int SIZE = NAMES.size();

  private ForecastFeatures() {}

  /**
   * Writes the features for a forecast made at index {@code t} for {@code h} samples ahead into
   * {@code out[offset .. offset + SIZE)}.
   *
   * @param s the VM's series
   * @param t index of the last sample the forecast may use
   * @param h horizon, samples (≥ 1)
   */
  public static void fill(SeriesArrays s, int t, int h, float[] out, int offset) {
    double[] c = s.cpuPct();
    long now = s.timestampS()[t];
    long target = now + h * SAMPLE_INTERVAL_S;
    int o = offset;
    // CPU features other than the current value are relative to it: the boosters learn the
    // change ahead, and a change pattern carries over between VMs and months better than a level.
    double x = c[t];
    out[o++] = (float) x;
    out[o++] = rel(at(c, t - 1), x);
    out[o++] = rel(at(c, t - 2), x);
    out[o++] = rel(at(c, t - 3), x);
    out[o++] = rel(at(c, t - 6), x);
    out[o++] = rel(at(c, t - 12), x);
    // each window's mean, extremes and count above the level in one pass (sums in index order,
    // as mean() and the others take them one by one: the same values to the last bit)
    double[] w = new double[4];
    int from1h = Math.max(0, t - 11);
    summarise(c, from1h, t, w);
    double mean1h = w[0];
    out[o++] = (float) (mean1h - x);
    out[o++] = (float) std(c, from1h, t, mean1h);
    out[o++] = (float) (w[1] - x);
    out[o++] = (float) (w[2] - x);
    out[o++] = (float) slope(c, from1h, t);
    int from6h = Math.max(0, t - 71);
    summarise(c, from6h, t, w);
    out[o++] = (float) (w[0] - x);
    out[o++] = (float) (w[1] - x);
    int from24h = Math.max(0, t - 287);
    summarise(c, from24h, t, w);
    double mean24h = w[0];
    out[o++] = (float) (mean24h - x);
    out[o++] = (float) std(c, from24h, t, mean24h);
    out[o++] = (float) (w[1] - x);
    out[o++] = (float) (w[3] / (t - from24h + 1));

    double yday = valueNear(s, c, target - DAY_S, t);
    out[o++] = (float) (yday - x);
    out[o++] = (float) (maxAround(s, c, target - DAY_S, 3 * SAMPLE_INTERVAL_S, t) - x);
    out[o++] = (float) (yday - valueNear(s, c, now - DAY_S, t));
    out[o++] = (float) (valueNear(s, c, target - 2 * DAY_S, t) - x);
    out[o++] = (float) (valueNear(s, c, target - 7 * DAY_S, t) - x);
    double sum = 0;
    double mx = Double.NaN;
    int days = 0;
    int high = 0;
    int highAround = 0;
    int daysAround = 0;
    double mxAround = Double.NaN;
    for (int d = 1; d <= 7; d++) {
      double v = valueNear(s, c, target - d * DAY_S, t);
      if (!Double.isNaN(v)) {
        sum += v;
        mx = Double.isNaN(mx) ? v : Math.max(mx, v);
        days++;
        high += v > HIGH_CPU_PCT ? 1 : 0;
      }
      double around = maxAround(s, c, target - d * DAY_S, 3 * SAMPLE_INTERVAL_S, t);
      if (!Double.isNaN(around)) {
        daysAround++;
        highAround += around > HIGH_CPU_PCT ? 1 : 0;
        mxAround = Double.isNaN(mxAround) ? around : Math.max(mxAround, around);
      }
    }
    out[o++] = days == 0 ? Float.NaN : (float) (sum / days - x);
    out[o++] = (float) (mx - x);
    out[o++] = days == 0 ? Float.NaN : (float) high / days;
    out[o++] = daysAround == 0 ? Float.NaN : (float) highAround / daysAround;
    out[o++] = (float) (mxAround - x);

    long tod = Math.floorMod(target, DAY_S);
    double angle = 2 * Math.PI * tod / DAY_S;
    out[o++] = (float) Math.sin(angle);
    out[o++] = (float) Math.cos(angle);
    out[o++] = tod / 3600;
    // 1970-01-01 was a Thursday: day 0 = Monday.
    out[o++] = Math.floorMod(Math.floorDiv(target, DAY_S) + 3, 7);
    out[o++] = s.cpuCores()[t];
    out[o++] = (float) s.cpuProvisionedMhz()[t];

    double[] m = s.memPct();
    out[o++] = (float) m[t];
    out[o++] = (float) mean(m, from1h, t);
    out[o++] = (float) slope(m, from6h, t);
    out[o++] = (float) valueNear(s, m, target - DAY_S, t);

    double[] n = s.netKbps();
    out[o++] = (float) Math.log1p(n[t]);
    out[o++] = (float) Math.log1p(mean(n, from1h, t));
    out[o++] = (float) Math.log1p(max(n, from1h, t));
    out[o++] = (float) Math.log1p(valueNear(s, n, target - DAY_S, t));
    out[o++] = (float) Math.log1p(s.diskKbps()[t]);
    out[o++] = (float) Math.min(168.0, (now - s.timestampS()[0]) / 3600.0);
    // filled by the model's PeerLibrary (ForecastModel#prepare), which holds the fleet's profiles
    out[o++] = Float.NaN;
    out[o++] = Float.NaN;
    assert o - offset == SIZE;
  }

  private static float rel(float v, double base) {
    return (float) (v - base);
  }

  private static float at(double[] x, int i) {
    return i >= 0 ? (float) x[i] : Float.NaN;
  }

  private static double valueNear(SeriesArrays s, double[] x, long timeS, int upTo) {
    int i = s.indexNear(timeS, upTo);
    return i < 0 ? Double.NaN : x[i];
  }

  private static double maxAround(
      SeriesArrays s, double[] x, long timeS, long halfWidthS, int upTo) {
    long[] ts = s.timestampS();
    double mx = Double.NaN;
    int i = s.indexNear(timeS - halfWidthS, upTo);
    if (i < 0) {
      i = s.indexNear(timeS, upTo);
    }
    if (i < 0) {
      return mx;
    }
    for (; i <= upTo && ts[i] <= timeS + halfWidthS; i++) {
      if (ts[i] >= timeS - halfWidthS) {
        mx = Double.isNaN(mx) ? x[i] : Math.max(mx, x[i]);
      }
    }
    return mx;
  }

  /**
   * The mean ({@link #mean}'s), maximum ({@link #max}'s), minimum and count above {@link
   * #HIGH_CPU_PCT} of {@code x[from..to]} in one pass, into {@code out[0..3]}: each the value a
   * pass of its own gives.
   */
  static void summarise(double[] x, int from, int to, double[] out) {
    double sum = 0;
    double mx = x[from];
    double mn = x[from];
    int high = 0;
    for (int i = from; i <= to; i++) {
      double v = x[i];
      sum += v;
      mx = Math.max(mx, v);
      mn = Math.min(mn, v);
      high += v > HIGH_CPU_PCT ? 1 : 0;
    }
    out[0] = sum / (to - from + 1);
    out[1] = mx;
    out[2] = mn;
    out[3] = high;
  }

  static double mean(double[] x, int from, int to) {
    double sum = 0;
    for (int i = from; i <= to; i++) {
      sum += x[i];
    }
    return sum / (to - from + 1);
  }

  static double std(double[] x, int from, int to, double mean) {
    double ss = 0;
    for (int i = from; i <= to; i++) {
      double d = x[i] - mean;
      ss += d * d;
    }
    return Math.sqrt(ss / (to - from + 1));
  }

  static double max(double[] x, int from, int to) {
    double m = x[from];
    for (int i = from + 1; i <= to; i++) {
      m = Math.max(m, x[i]);
    }
    return m;
  }

  /** Least-squares slope per sample over {@code x[from..to]}; 0 for a single sample. */
  static double slope(double[] x, int from, int to) {
    int n = to - from + 1;
    if (n < 2) {
      return 0;
    }
    double mi = (n - 1) / 2.0;
    double mx = mean(x, from, to);
    double num = 0;
    double den = 0;
    for (int i = 0; i < n; i++) {
      double di = i - mi;
      num += di * (x[from + i] - mx);
      den += di * di;
    }
    return num / den;
  }
}
