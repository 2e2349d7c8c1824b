package io.vmdna.models.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vmdna.models.VmSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForecastTest {
  private static List<VmSample> window(double start, double step) {
    List<VmSample> w = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      double cpu = start + step * i;
      w.add(new VmSample("vm", "h", 300L * i, 4, 10_000, cpu, cpu / 100, 1e6, 5e5, 0, 0, 10, 10));
    }
    return w;
  }

  @Test
  void shouldExtendARampAndWidenAboveTheMedian() {
    Forecast f = TrendForecaster.defaults().forecast(window(1000, 100));

    // last value 2100, slope 100 per step, 6 steps, half the trend: 2100 + 300
    assertThat(f.horizonS()).isEqualTo(1800);
    assertThat(f.cpuP50Mhz()).isCloseTo(2400, within(1e-6));
    assertThat(f.cpuP90Mhz()).isGreaterThan(f.cpuP50Mhz());
    assertThat(f.cpuP50Pct()).isCloseTo(24, within(1e-6));
    assertThat(f.pExceed()).isLessThan(0.001);
    assertThat(f.memP90Kb()).isGreaterThanOrEqualTo(5e5);
  }

  @Test
  void shouldGiveHighPExceedNearTheThresholdAndCapAtProvisioned() {
    Forecast hot = TrendForecaster.defaults().forecast(window(9000, 300));
    assertThat(hot.pExceed()).isGreaterThan(0.9);
    assertThat(hot.cpuP90Mhz()).isLessThanOrEqualTo(12_000);
  }

  @Test
  void shouldRejectBadSettings() {
    assertThatThrownBy(() -> new TrendForecaster(1000, 300, 0.5, 0.05, 80))
        .hasMessageContaining("multiple of stepS");
    assertThatThrownBy(() -> new TrendForecaster(1800, 300, 2, 0.05, 80))
        .hasMessageContaining("damping");
    assertThatThrownBy(() -> TrendForecaster.defaults().forecast(List.of()))
        .hasMessageContaining("empty window");
  }

  @Test
  void hostDemandShouldSumP90sAndGiveProbabilityOfExceeding() {
    Forecast a = new Forecast(1800, 10_000, 12_000, 1_000, 50, 60, 0.1, 80, 1, 1);
    Forecast b = new Forecast(1800, 14_000, 16_000, 1_000, 50, 60, 0.1, 80, 1, 1);

    HostDemand d = HostDemand.of(List.of(a, b), 30_000, 0.8);

    assertThat(d.demandP90Mhz()).isEqualTo(28_000);
    assertThat(d.thresholdMhz()).isEqualTo(24_000);
    assertThat(d.overloaded()).isTrue();
    assertThat(d.pExceed()).isCloseTo(0.5, within(1e-6));
    assertThatThrownBy(() -> HostDemand.of(List.of(a), 0, 0.8))
        .hasMessageContaining("capacity must be > 0");
    assertThatThrownBy(() -> HostDemand.of(List.of(a), 1, 1.5))
        .hasMessageContaining("threshold fraction");
  }

  @Test
  void reliefPickerShouldPreferTheCheapestVmThatCoversTheExcess() {
    ReliefPicker p = new ReliefPicker();
    List<ReliefPicker.Candidate> vms =
        List.of(
            new ReliefPicker.Candidate("big", 20_000, 40e6),
            new ReliefPicker.Candidate("mid", 8_000, 8e6),
            new ReliefPicker.Candidate("small", 1_000, 1e6));

    assertThat(p.pick(vms, 5_000).orElseThrow().vmId()).isEqualTo("mid");
    assertThat(p.pick(vms, 15_000).orElseThrow().vmId()).isEqualTo("big");
    assertThat(p.pick(vms, 50_000).orElseThrow().vmId())
        .as("none covers it: the biggest relief")
        .isEqualTo("big");
    assertThat(p.pick(List.of(), 1)).isEmpty();
  }
}
