package io.vmdna.models.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The host view's decision, shared by the Flink job and the what-if simulator. */
class HostAssessmentTest {
  private static final HostAssessment RULE = new HostAssessment(0.8, 0.5, 0.7, 0.8);

  /** A VM forecast at {@code p50}..{@code p90} MHz. */
  private static HostAssessment.VmView vm(
      String id, double p50, double p90, double memKb, double score, boolean anomalous) {
    Forecast f = new Forecast(1800, p50, p90, (p90 - p50) / 1.2816, 0, 0, 0, 80, memKb, 0);
    return new HostAssessment.VmView(id, f, memKb, score, anomalous);
  }

  @Test
  void shouldPickTheCheapestVmThatRelievesALikelyOverload() {
    // demand p50 90,000 of 100,000 (threshold 80,000), σ ≈ 5,600: pExceed ≈ 0.96
    List<HostAssessment.VmView> vms =
        List.of(
            vm("big", 50_000, 55_000, 8_000, 0, false),
            vm("small", 25_000, 30_000, 1_000, 0, false),
            vm("tiny", 15_000, 16_000, 500, 0, false));

    Optional<HostAssessment.Verdict> v = RULE.assess("h1", vms, 100_000);

    assertThat(v).isPresent();
    assertThat(v.get().kind()).isEqualTo(HostAssessment.Kind.FORECAST);
    // excess = 101,000 - 80,000 = 21,000: "small" covers it with the least memory
    assertThat(v.get().vm().vmId()).isEqualTo("small");
    assertThat(v.get().demand().pExceed()).isGreaterThan(0.95);
    assertThat(v.get().reason()).contains("host h1 predicted at 101% of capacity", "moving small");
  }

  @Test
  void shouldNotSignalAnOverloadOnlyTheP90Sees() {
    // p90 sum 85,000 > 80,000, but p50 sum 60,000: exceeding is unlikely
    List<HostAssessment.VmView> vms =
        List.of(vm("a", 30_000, 42_500, 1, 0, false), vm("b", 30_000, 42_500, 1, 0, false));

    Optional<HostAssessment.Verdict> v = RULE.assess("h1", vms, 100_000);

    assertThat(v).isEmpty();
  }

  @Test
  void shouldGiveAnAnomalyVerdictOnlyOnAHostNearCapacity() {
    HostAssessment.VmView odd = vm("odd", 30_000, 36_000, 1, 0.9, true);
    HostAssessment.VmView calm = vm("calm", 30_000, 36_000, 1, 0.95, false);

    Optional<HostAssessment.Verdict> near = RULE.assess("h1", List.of(odd, calm), 100_000);
    Optional<HostAssessment.Verdict> far = RULE.assess("h1", List.of(odd, calm), 200_000);

    assertThat(near).isPresent();
    assertThat(near.get().kind()).isEqualTo(HostAssessment.Kind.ANOMALY);
    assertThat(near.get().vm().vmId()).isEqualTo("odd");
    assertThat(near.get().reason()).contains("VM odd is anomalous (score 0.90)");
    assertThat(far).isEmpty();
    assertThat(RULE.assess("h1", List.of(), 100_000)).isEmpty();
  }

  @Test
  void shouldRejectFractionsOutsideTheirRange() {
    assertThatThrownBy(() -> new HostAssessment(0, 0.5, 0.7, 0.8))
        .hasMessageContaining("overload 0.0");
    assertThatThrownBy(() -> new HostAssessment(0.8, 1.5, 0.7, 0.8))
        .hasMessageContaining("minPExceed 1.5");
    assertThatThrownBy(() -> new HostAssessment(0.8, 0.5, 1.2, 0.8))
        .hasMessageContaining("anomaly 1.2");
  }
}
