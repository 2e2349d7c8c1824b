package io.vmdna.models.dna;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EwmaControlChartTest {
  private final EwmaControlChart chart = new EwmaControlChart(0.3, 3, 20, 0.01, 0.0, 5);

  private EwmaControlChart.State warmUp() {
    EwmaControlChart.State s = EwmaControlChart.State.empty();
    for (int i = 0; i < 20; i++) {
      EwmaControlChart.Result r = chart.update(s, 100 + (i % 2 == 0 ? 5 : -5));
      assertThat(r.anomalous()).isFalse();
      assertThat(r.score()).isZero();
      s = r.state();
    }
    return s;
  }

  @Test
  void shouldLearnBaselineDuringWarmUp() {
    EwmaControlChart.State s = warmUp();
    assertThat(s.mean()).isEqualTo(100);
    assertThat(Math.sqrt(s.variance())).isBetween(5.0, 5.2);
  }

  @Test
  void shouldStayQuietInControlAndAlarmOnAShift() {
    EwmaControlChart.State s = warmUp();
    EwmaControlChart.Result r = chart.update(s, 104);
    assertThat(r.anomalous()).isFalse();
    assertThat(r.score()).isLessThan(0.5);

    r = chart.update(r.state(), 200);
    assertThat(r.anomalous()).isTrue();
    assertThat(r.score()).isGreaterThan(0.5).isLessThanOrEqualTo(1);
  }

  @Test
  void shouldMoveTheBaselineAfterALastingChange() {
    EwmaControlChart.Result r = new EwmaControlChart.Result(warmUp(), 0, false);
    int alarms = 0;
    for (int i = 0; i < 30; i++) {
      r = chart.update(r.state(), 300);
      alarms += r.anomalous() ? 1 : 0;
    }
    assertThat(alarms)
        .as("alarms for relearnAfter samples, then accepts the new level")
        .isBetween(5, 10);
    assertThat(r.anomalous()).isFalse();
    assertThat(r.state().mean()).isGreaterThan(250);
  }

  @Test
  void shouldRejectBadConfigurationAndValues() {
    assertThatThrownBy(() -> new EwmaControlChart(0, 3, 20, 0.01, 0, 5))
        .hasMessageContaining("lambda");
    assertThatThrownBy(() -> new EwmaControlChart(0.3, -1, 20, 0.01, 0, 5))
        .hasMessageContaining("limitSigmas");
    assertThatThrownBy(() -> new EwmaControlChart(0.3, 3, 1, 0.01, 0, 5))
        .hasMessageContaining("warmUpSamples");
    assertThatThrownBy(() -> new EwmaControlChart(0.3, 3, 20, 1, 0, 5))
        .hasMessageContaining("baselineAlpha");
    assertThatThrownBy(() -> new EwmaControlChart(0.3, 3, 20, 0.01, -1, 5))
        .hasMessageContaining("minSigmaFraction");
    assertThatThrownBy(() -> new EwmaControlChart(0.3, 3, 20, 0.01, 0, 0))
        .hasMessageContaining("relearnAfter");
    assertThatThrownBy(() -> chart.update(EwmaControlChart.State.empty(), Double.NaN))
        .hasMessageContaining("finite");
  }
}
