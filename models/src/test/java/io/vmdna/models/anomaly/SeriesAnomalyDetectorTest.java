package io.vmdna.models.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesAnomalyDetectorTest {
  private static final long T0 = 1_375_308_000L;

  /** Two days of a calm daily wave with noise; optionally a +30 level shift from sample 500. */
  private static double[] series(boolean shift) {
    Random r = new Random(3);
    double[] x = new double[600];
    for (int i = 0; i < x.length; i++) {
      x[i] = 30 + 5 * Math.sin(2 * Math.PI * i / 288) + r.nextGaussian();
      if (shift && i >= 500) {
        x[i] += 30;
      }
    }
    return x;
  }

  private static List<SeriesAnomalyDetector.Verdict> run(double[] x) {
    SeriesAnomalyDetector d = new SeriesAnomalyDetector(SeriesAnomalyDetector.Config.defaults());
    List<SeriesAnomalyDetector.Verdict> out = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      out.add(d.update(T0 + 300L * i, x[i]));
    }
    return out;
  }

  @Test
  void shouldScoreZeroDuringWarmUp() {
    List<SeriesAnomalyDetector.Verdict> v = run(series(true));

    assertThat(v.subList(0, 288)).allMatch(x -> x.score() == 0 && !x.alarm());
  }

  @Test
  void shouldAlarmOnALevelShiftWithinAnHourAndNameTheDetector() {
    List<SeriesAnomalyDetector.Verdict> v = run(series(true));

    assertThat(v.subList(288, 500)).noneMatch(SeriesAnomalyDetector.Verdict::alarm);
    assertThat(v.subList(500, 512)).anyMatch(SeriesAnomalyDetector.Verdict::alarm);
    assertThat(v.subList(500, 512).stream().flatMap(x -> x.fired().stream()))
        .containsAnyOf("spike", "level-shift", "cusum");
    assertThat(v).allMatch(x -> x.score() >= 0 && x.score() < 1);
  }

  @Test
  void shouldBeCausal() {
    double[] calm = series(false);
    double[] shifted = series(true);

    List<SeriesAnomalyDetector.Verdict> a = run(calm);
    List<SeriesAnomalyDetector.Verdict> b = run(shifted);

    for (int i = 0; i < 500; i++) {
      assertThat(b.get(i).score()).isEqualTo(a.get(i).score());
    }
  }

  @Test
  void shouldRejectANonFiniteValueAndABadConfig() {
    SeriesAnomalyDetector d = new SeriesAnomalyDetector(SeriesAnomalyDetector.Config.defaults());
    assertThatThrownBy(() -> d.update(T0, Double.NaN)).hasMessageContaining("finite");
    assertThatThrownBy(() -> new SeriesAnomalyDetector.Config(10, 288, 12, 4, 0.5, 0.9, 1))
        .hasMessageContaining("warmUp >= baseline");
    assertThatThrownBy(() -> SeriesAnomalyDetector.Config.defaults().withThreshold(1))
        .hasMessageContaining("threshold in (0, 1)");
  }
}
