package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.VmSample;
import io.vmdna.models.forecast.TrendForecaster;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The job's trend rule over the history's columns gives the rule's forecast on the samples. */
class VmProfilerTrendTest {

  @Test
  void theColumnsShouldGiveTheSameForecastAsTheSamples() {
    Random rnd = new Random(11);
    TrendForecaster rule = TrendForecaster.defaults();
    VmHistory h = new VmHistory();
    for (int i = 0; i < 600; i++) {
      double provisioned = i < 300 ? 5200 : 10_400; // resized half way: the newest counts
      double mhz = rnd.nextDouble() * provisioned * (rnd.nextInt(10) == 0 ? 1.3 : 0.6);
      h.append(
          new VmSample(
              "vm-1",
              "h" + (i / 250),
              1_375_308_000L + 300L * i,
              4,
              provisioned,
              mhz,
              100 * mhz / provisioned,
              8e6,
              rnd.nextDouble() * 8e6,
              rnd.nextDouble() * 100,
              rnd.nextDouble() * 100,
              rnd.nextDouble() * 1e4,
              rnd.nextDouble() * 1e3),
          288);
      for (int n : new int[] {1, 2, 12}) {
        assertThat(VmProfiler.trend(rule, h, n)).isEqualTo(rule.forecast(h.last(n)));
      }
    }
  }

  @Test
  void columnsOfDifferentLengthsOrNoneAreRefused() {
    TrendForecaster rule = TrendForecaster.defaults();
    assertThatThrownBy(() -> rule.forecast(new double[0], new double[0], new double[0], 1000))
        .hasMessageContaining("empty window");
    assertThatThrownBy(() -> rule.forecast(new double[2], new double[1], new double[2], 1000))
        .hasMessageContaining("CPU 2, memory 1, network 2");
  }
}
