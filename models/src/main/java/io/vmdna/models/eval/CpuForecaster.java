package io.vmdna.models.eval;

import io.vmdna.models.VmSample;
import io.vmdna.models.forecast.TrendForecaster;
import java.util.List;

/**
 * Forecasts one VM's CPU % a number of samples ahead, from its past only. Implementations are
 * stateless and thread-safe.
 */
public interface CpuForecaster {

  /**
   * A forecast of CPU % at {@code t + h}.
   *
   * @param p50 median, percent of provisioned CPU
   * @param p90 90th percentile, percent
   * @param warn whether the forecaster says CPU % will exceed the threshold (its own rule)
   */
  record Prediction(double p50, double p90, boolean warn) {}

  /** Its name in reports. */
  String name();

  /**
   * Forecasts from {@code series[0..t]} (never later samples) for {@code t + h}.
   *
   * @param series the VM's samples, oldest first
   * @param t the index of the last sample it may use
   * @param h horizon, samples
   * @param threshold CPU % threshold for {@link Prediction#warn()}
   */
  Prediction predict(List<VmSample> series, int t, int h, double threshold);

  /** Persistence: the last value, for every horizon. */
  static CpuForecaster persistence() {
    return new CpuForecaster() {
      @Override
      public String name() {
        return "persistence";
      }

      @Override
      public Prediction predict(List<VmSample> s, int t, int h, double threshold) {
        double x = s.get(t).cpuUsagePct();
        return new Prediction(x, x, x > threshold);
      }
    };
  }

  /** Seasonal-naive: the value a day (288 samples) before the target; the last value before. */
  static CpuForecaster seasonalNaive() {
    return new CpuForecaster() {
      @Override
      public String name() {
        return "seasonal-naive";
      }

      @Override
      public Prediction predict(List<VmSample> s, int t, int h, double threshold) {
        int i = t + h - 288;
        double x = s.get(i >= 0 && i <= t ? i : t).cpuUsagePct();
        return new Prediction(x, x, x > threshold);
      }
    };
  }

  /** The backbone's damped-trend forecaster over the last {@code window} samples. */
  static CpuForecaster trend(int window) {
    return new CpuForecaster() {
      @Override
      public String name() {
        return "trend";
      }

      @Override
      public Prediction predict(List<VmSample> s, int t, int h, double threshold) {
        List<VmSample> w = s.subList(Math.max(0, t - window + 1), t + 1);
        var f = new TrendForecaster(h * 300L, 300, 0.5, 0.05, threshold).forecast(w);
        return new Prediction(f.cpuP50Pct(), f.cpuP90Pct(), f.pExceed() >= 0.5);
      }
    };
  }

  /**
   * Forecasts computed beforehand for one series (row {@code t} holds the forecast made at index
   * {@code t}), for scoring batch-scored models with {@link ForecastEvaluation}. The horizon and
   * threshold they were made for are the caller's to match.
   */
  static CpuForecaster precomputed(String name, double[] p50, double[] p90, boolean[] warn) {
    return new CpuForecaster() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Prediction predict(List<VmSample> s, int t, int h, double threshold) {
        return new Prediction(p50[t], p90[t], warn[t]);
      }
    };
  }
}
