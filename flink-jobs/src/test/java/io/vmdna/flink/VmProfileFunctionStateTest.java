package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.models.VmSample;
import io.vmdna.models.anomaly.AnomalyEnsemble;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The per-VM state of the profile stays bounded, measured in checkpoint bytes. */
class VmProfileFunctionStateTest {

  private static long stateBytesAfter(
      int samples, String model, String dnaModel, AnomalyEnsemble.Config anomaly) throws Exception {
    ProfilerConfig config =
        ProfilerConfig.defaults(Map.of("h", 100_000.0))
            .withForecastModel(model)
            .withDnaModel(dnaModel)
            .withAnomaly(anomaly);
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
      // the history, the control chart, the ensemble if any and, with a DNA model, the last DNA
      int entries = 2 + (anomaly == null ? 0 : 1) + (ProfilerConfig.NONE.equals(dnaModel) ? 0 : 1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(entries);
      OperatorSubtaskState snapshot = h.snapshot(1, 0);
      return snapshot.getStateSize();
    }
  }

  @Test
  void historyShouldStopGrowingAtAWeekWithTheModelADayForTheDnaAndAnHourWithoutEither()
      throws Exception {
    String shipped = ProfilerConfig.SHIPPED;
    long modelWeek =
        stateBytesAfter(ProfilerConfig.MODEL_HISTORY_SAMPLES + 1000, shipped, shipped, null);
    long modelLonger =
        stateBytesAfter(ProfilerConfig.MODEL_HISTORY_SAMPLES + 500, shipped, shipped, null);
    long dnaDay = stateBytesAfter(3 * ProfilerConfig.DNA_HISTORY_SAMPLES, TREND, shipped, null);
    long dnaLonger = stateBytesAfter(2 * ProfilerConfig.DNA_HISTORY_SAMPLES, TREND, shipped, null);
    long bare = stateBytesAfter(2 * 288, TREND, ProfilerConfig.NONE, null);

    System.out.printf(
        "state bytes per VM, control chart: %d with the forecast model (a week of samples), %d with"
            + " the trend rule and the DNA model (a day), %d with neither (an hour)%n",
        modelLonger, dnaLonger, bare);
    assertThat(modelLonger).isEqualTo(modelWeek);
    assertThat(modelLonger).isLessThan(400_000);
    assertThat(dnaLonger).isEqualTo(dnaDay).isLessThan(60_000);
    assertThat(bare).isLessThan(10_000);
  }

  @Test
  void anomalyEnsembleShouldStopGrowingOnceItsWeekOfStatisticsIsFull() throws Exception {
    // given the default ensemble (CPU % and memory %): eight days of samples, a week of statistics
    // (the level detector's start a day after the others' and join its calibration a day late:
    // full after ten days)
    AnomalyEnsemble.Config ensemble = AnomalyEnsemble.Config.streaming();
    long bare = stateBytesAfter(2 * 288, TREND, ProfilerConfig.NONE, null);
    long full = stateBytesAfter(11 * 288, TREND, ProfilerConfig.NONE, ensemble);
    long later = stateBytesAfter(11 * 288 + 200, TREND, ProfilerConfig.NONE, ensemble);
    String shipped = ProfilerConfig.SHIPPED;
    long everything =
        stateBytesAfter(ProfilerConfig.MODEL_HISTORY_SAMPLES + 1000, shipped, shipped, ensemble);

    System.out.printf(
        "state bytes per VM: anomaly ensemble (2 features) %d; with it, forecast model and DNA"
            + " model (the defaults) %d%n",
        full - bare, everything);
    assertThat(later).isEqualTo(full);
    assertThat(full - bare).isBetween(100_000L, 200_000L);
    assertThat(everything).isLessThan(600_000);
  }

  private static final String TREND = ProfilerConfig.TREND;
}
