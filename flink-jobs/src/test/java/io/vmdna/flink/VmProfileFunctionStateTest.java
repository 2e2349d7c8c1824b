package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.models.VmSample;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The per-VM state of the profile stays bounded, measured in checkpoint bytes. */
class VmProfileFunctionStateTest {

  private static long stateBytesAfter(int samples, String model) throws Exception {
    ProfilerConfig config =
        ProfilerConfig.defaults(Map.of("h", 100_000.0)).withForecastModel(model);
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<String, VmSample, VmProfile>(
            new KeyedProcessOperator<>(new VmProfileFunction(config)),
            VmSample::vmId,
            Types.STRING)) {
      h.open();
      for (int i = 0; i < samples; i++) {
        double pct = 20 + 10 * Math.sin(i / 20.0);
        h.processElement(
            new VmSample(
                "vm-1",
                "h",
                1_375_308_000L + 300L * i,
                2,
                5000,
                pct * 50,
                pct,
                4e6,
                1e6,
                3,
                4,
                5,
                6),
            (1_375_308_000L + 300L * i) * 1000);
      }
      assertThat(h.numKeyedStateEntries()).isEqualTo(2); // the history and the control chart
      OperatorSubtaskState snapshot = h.snapshot(1, 0);
      return snapshot.getStateSize();
    }
  }

  @Test
  void historyShouldStopGrowingAtAWeekWithTheModelAndAnHourWithoutIt() throws Exception {
    long modelWeek = stateBytesAfter(ProfilerConfig.MODEL_HISTORY_SAMPLES, ProfilerConfig.SHIPPED);
    long modelLonger =
        stateBytesAfter(ProfilerConfig.MODEL_HISTORY_SAMPLES + 500, ProfilerConfig.SHIPPED);
    long trend = stateBytesAfter(2 * 288, ProfilerConfig.TREND);

    System.out.printf(
        "state bytes per VM: %d with the model (a week of samples), %d with the trend rule%n",
        modelLonger, trend);
    assertThat(modelLonger).isEqualTo(modelWeek);
    assertThat(modelLonger).isLessThan(400_000);
    assertThat(trend).isLessThan(10_000);
  }
}
