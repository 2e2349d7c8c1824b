package io.vmdna.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vmdna.models.VmSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForecastEvaluationTest {
  /** CPU % 10 everywhere except 90 at the given indexes. */
  private static List<VmSample> series(int n, int... hot) {
    List<VmSample> s = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double pct = 10;
      for (int h : hot) {
        pct = i == h ? 90 : pct;
      }
      s.add(new VmSample("vm", "", 300L * i, 1, 1000, pct * 10, pct, 1, 1, 0, 0, 0, 0));
    }
    return s;
  }

  /** Knows the future: warns exactly when the target sample is hot (to test the counting). */
  private static CpuForecaster oracle() {
    return new CpuForecaster() {
      @Override
      public String name() {
        return "oracle";
      }

      @Override
      public Prediction predict(List<VmSample> s, int t, int h, double threshold) {
        double x = s.get(t + h).cpuUsagePct();
        return new Prediction(x, x, x > threshold);
      }
    };
  }

  @Test
  void persistenceShouldNeverCatchAnOnsetAndHaveTheExpectedError() {
    // given one isolated spike at 60 in 100 samples, scored from sample 50
    ForecastEvaluation eval = new ForecastEvaluation(0.5, 80);

    // when
    ForecastEvaluation.Score s = eval.score(CpuForecaster.persistence(), series(100, 60), 6);

    // then: the spike is missed at 60+6... MAE: |10-90| when predicting 60 from 54, and again
    // predicting 66 from 60
    assertThat(s.onsets()).isEqualTo(1);
    assertThat(s.caught()).isZero();
    assertThat(s.forecasts()).isEqualTo(44);
    assertThat(s.mae()).isCloseTo(160.0 / 44, within(1e-9));
    assertThat(s.warnings()).isZero();
    assertThat(s.vmDays()).isCloseTo(50 * 300.0 / 86_400, within(1e-12));
  }

  @Test
  void aForecasterThatWarnsAheadShouldCatchTheOnsetWithoutFalseWarnings() {
    ForecastEvaluation eval = new ForecastEvaluation(0.5, 80);

    ForecastEvaluation.Score s = eval.score(oracle(), series(100, 60), 6);

    assertThat(s.onsets()).isEqualTo(1);
    assertThat(s.caught()).isEqualTo(1);
    assertThat(s.warnings()).isEqualTo(1);
    assertThat(s.falseWarnings()).isZero();
    assertThat(s.mae()).isZero();
    assertThat(s.p90Coverage()).isEqualTo(1.0);
  }

  @Test
  void aWarningTooLateOrWithoutExceedanceShouldNotCount() {
    // a forecaster that always warns: the onset is caught, every warning without a hot sample in
    // the next h samples is false
    CpuForecaster alwaysWarn =
        new CpuForecaster() {
          @Override
          public String name() {
            return "always";
          }

          @Override
          public Prediction predict(List<VmSample> s, int t, int h, double threshold) {
            return new Prediction(100, 100, true);
          }
        };
    ForecastEvaluation.Score s =
        new ForecastEvaluation(0.5, 80).score(alwaysWarn, series(100, 60), 6);

    assertThat(s.caught()).isEqualTo(1);
    assertThat(s.warnings()).isEqualTo(43); // every scored sample at or below 80 (60 is hot)
    assertThat(s.falseWarnings()).isEqualTo(43 - 6); // only 54..59 see the spike within 6
  }

  @Test
  void anOnsetNeedsTwelveCalmSamplesBefore() {
    ForecastEvaluation.Score s =
        new ForecastEvaluation(0, 80)
            .score(CpuForecaster.persistence(), series(100, 30, 35, 60), 6);
    assertThat(s.onsets()).as("35 follows 30 within 12 samples").isEqualTo(2);
  }

  @Test
  void seasonalNaiveShouldUseTheSameTimeYesterday() {
    List<VmSample> s = series(600, 300);
    CpuForecaster.Prediction p = CpuForecaster.seasonalNaive().predict(s, 582, 6, 80);
    assertThat(p.p50()).as("588 - 288 = 300, the hot sample").isEqualTo(90);
    assertThat(p.warn()).isTrue();
    assertThatThrownBy(() -> new ForecastEvaluation(1, 80)).hasMessageContaining("--from-fraction");
  }
}
