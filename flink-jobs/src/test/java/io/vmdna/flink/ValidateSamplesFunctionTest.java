package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.SampleCheck;
import io.vmdna.models.VmSample;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class ValidateSamplesFunctionTest {
  private static final long T = 1_375_308_000L;

  private static VmSample sample(String vm, String host, long ts, double cpuPct) {
    return new VmSample(vm, host, ts, 2, 5000, cpuPct * 50, cpuPct, 4e6, 1e6, 1, 1, 1, 1);
  }

  private static void push(OneInputStreamOperatorTestHarness<VmSample, VmSample> h, VmSample s)
      throws Exception {
    h.processElement(s, s.timestampS() * 1000);
  }

  @Test
  void shouldPassGoodSamplesAndSendBadAndLateOnesToTheSideOutputWithTheReason() throws Exception {
    // given
    var fn = new ValidateSamplesFunction(new SampleCheck(Set.of("1", "2"), 3600));
    try (var h = ProcessFunctionTestHarnesses.forProcessFunction(fn)) {
      // when
      push(h, sample("1", "h", T, 10));
      push(h, sample("2", "h", T, Double.NaN));
      push(h, sample("2", "h", T, -1));
      push(h, sample("3", "h", T, 10));
      push(h, sample("2", "", T, 10));
      push(h, sample("2", "h", T + 7200, 10));
      push(h, sample("2", "h", T + 300, 10));
      h.processWatermark((T + 600) * 1000);
      push(h, sample("1", "h", T + 300, 10));
      push(h, sample("1", "h", T + 900, 10));

      // then
      assertThat(h.extractOutputValues())
          .extracting(VmSample::timestampS)
          .containsExactly(T, T + 300, T + 900);
      List<RejectedSample> rejected =
          h.getSideOutput(ValidateSamplesFunction.REJECTED).stream()
              .map(StreamRecord::getValue)
              .toList();
      assertThat(rejected)
          .extracting(RejectedSample::reason)
          .containsExactly(
              "NOT_A_NUMBER", "NEGATIVE", "UNKNOWN_VM", "MISSING_HOST", "FUTURE_TIMESTAMP", "LATE");
      assertThat(rejected.getFirst().detail())
          .isEqualTo("VM 2 at %d: cpuUsageMhz is NaN".formatted(T));
      assertThat(rejected.get(1).detail()).contains("cpuUsageMhz is negative (-50.0)");
      assertThat(rejected.get(4).detail()).contains("7200 s ahead of the newest accepted");
      assertThat(rejected.getLast().detail()).contains("behind the watermark");
    }
  }

  @Test
  void shouldAcceptAnyVmWithAnEmptyFleetAndRejectABadLead() {
    assertThat(new SampleCheck(Set.of(), 60).check(sample("x", "h", T, 1), Long.MIN_VALUE))
        .isEmpty();
    assertThatThrownBy(() -> new SampleCheck(Set.of(), 0)).hasMessageContaining("maxLeadS");
  }

  @Test
  void shouldTakeAbsentMemoryMetricsAndRejectNegativeOrInfiniteOnes() {
    SampleCheck check = new SampleCheck(Set.of(), 60);
    VmSample base = sample("x", "h", T, 1);
    // absent (NaN) and measured values pass
    assertThat(check.check(base, Long.MIN_VALUE)).isEmpty();
    assertThat(check.check(base.withMemoryAccess(0.5, 0), Long.MIN_VALUE)).isEmpty();
    // a negative rate or an infinite one is a bad sample, named
    assertThat(check.check(base.withMemoryAccess(-1, 0), Long.MIN_VALUE))
        .hasValueSatisfying(
            p -> {
              assertThat(p.reason()).isEqualTo(SampleCheck.Reason.NEGATIVE);
              assertThat(p.detail()).contains("majorFaultsPerS is negative (-1.0)");
            });
    assertThat(check.check(base.withMemoryAccess(0, Double.POSITIVE_INFINITY), Long.MIN_VALUE))
        .hasValueSatisfying(
            p -> {
              assertThat(p.reason()).isEqualTo(SampleCheck.Reason.NOT_A_NUMBER);
              assertThat(p.detail()).contains("swapKbps is Infinity");
            });
  }
}
