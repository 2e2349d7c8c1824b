package io.vmdna.models.dna;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vmdna.models.VmSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnaCalculatorTest {
  static VmSample sample(long t, double cpuMhz, double memKb) {
    return new VmSample("vm", "h", t, 2, 1000, cpuMhz, cpuMhz / 10, 1e6, memKb, 1, 2, 3, 4);
  }

  @Test
  void shouldComputeMeanP95AndSlopePerMetric() {
    List<VmSample> w = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      w.add(sample(300L * i, 100 + 10 * i, 5000));
    }

    Dna dna = new DnaCalculator().compute(w);

    assertThat(dna.schemaVersion()).isEqualTo(Dna.SCHEMA_VERSION);
    assertThat(dna.windowEndS()).isEqualTo(6000);
    assertThat(dna.samples()).isEqualTo(21);
    assertThat(dna.features()).hasSize(Dna.FEATURE_NAMES.size());
    assertThat(dna.feature("cpu_mhz_mean")).isCloseTo(200, within(1e-9));
    assertThat(dna.feature("cpu_mhz_p95")).isCloseTo(290, within(1e-9));
    assertThat(dna.feature("cpu_mhz_slope")).isCloseTo(10, within(1e-9));
    assertThat(dna.feature("mem_kb_slope")).isCloseTo(0, within(1e-9));
    assertThat(dna.feature("net_kbps_mean")).isEqualTo(7);
  }

  @Test
  void shouldRejectEmptyWindowAndUnknownFeature() {
    assertThatThrownBy(() -> new DnaCalculator().compute(List.of()))
        .hasMessageContaining("empty window");
    Dna dna = new DnaCalculator().compute(List.of(sample(0, 1, 1)));
    assertThatThrownBy(() -> dna.feature("colour"))
        .hasMessageContaining("unknown DNA feature 'colour' in schema 1");
    assertThatThrownBy(() -> new Dna(1, 0, 1, List.of(1.0)))
        .hasMessageContaining("has 15 features, got 1");
  }

  @Test
  void statsShouldMatchKnownValues() {
    double[] x = {1, 2, 3, 4};
    assertThat(Stats.quantile(x, 0.5)).isEqualTo(2.5);
    assertThat(Stats.quantile(x, 0)).isEqualTo(1);
    assertThat(Stats.quantile(x, 1)).isEqualTo(4);
    assertThat(Stats.slope(new double[] {5})).isZero();
    assertThat(Stats.normalCdf(0)).isCloseTo(0.5, within(1e-7));
    assertThat(Stats.normalCdf(1.2815515655)).isCloseTo(0.9, within(1e-6));
    assertThat(Stats.normalCdf(-1.959963985)).isCloseTo(0.025, within(1e-6));
    assertThatThrownBy(() -> Stats.quantile(x, 1.5)).hasMessageContaining("[0, 1]");
  }
}
