package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.models.VmSample;
import io.vmdna.models.anomaly.AnomalyEnsemble;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The profile's anomaly ensemble on keyed state: alarms name detector and feature, and a job
 * restored from a checkpoint scores every later sample exactly as one that never stopped.
 */
class VmProfileAnomalyTest {
  private static final long T0 = 1_375_308_000L;
  private static final int AT = 3 * 288 + 100; // the CPU shifts by +30 points here
  private static final int N = AT + 36;

  private static final ProfilerConfig CONFIG =
      ProfilerConfig.defaults(Map.of("h", 100_000.0))
          .withForecastModel(ProfilerConfig.TREND)
          .withDnaModel(ProfilerConfig.NONE)
          .withAnomaly(ProfilerConfig.anomalyNamed(ProfilerConfig.ENSEMBLE));

  private static VmSample sample(int i) {
    Random r = new Random(i);
    double cpu = 30 + 5 * Math.sin(2 * Math.PI * i / 288) + r.nextGaussian() + (i >= AT ? 30 : 0);
    double mem = 50 + r.nextGaussian();
    return new VmSample(
        "vm-1", "h", T0 + 300L * i, 2, 5000, cpu * 50, cpu, 4e6, mem * 4e4, 3, 4, 5, 6);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, VmSample, VmProfile> harness()
      throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new VmProfileFunction(CONFIG)), VmSample::vmId, Types.STRING);
  }

  private static List<VmProfile> feed(
      KeyedOneInputStreamOperatorTestHarness<String, VmSample, VmProfile> h, int from, int to)
      throws Exception {
    for (int i = from; i < to; i++) {
      VmSample s = sample(i);
      h.processElement(s, s.timestampS() * 1000);
    }
    List<VmProfile> out = new ArrayList<>(h.extractOutputValues());
    return out;
  }

  @Test
  void shouldAlarmOnTheShiftNamingDetectorAndFeatureAndScoreTheSameAfterARestore()
      throws Exception {
    assertThat(CONFIG.anomaly()).isEqualTo(AnomalyEnsemble.Config.streaming());

    // given a VM profiled without a stop
    List<VmProfile> straight;
    try (var h = harness()) {
      h.open();
      straight = feed(h, 0, N);
    }

    // and the same VM checkpointed two and a half days in, then restored into a new task
    int cut = 2 * 288 + 150;
    OperatorSubtaskState snapshot;
    List<VmProfile> before;
    try (var h = harness()) {
      h.open();
      before = feed(h, 0, cut);
      snapshot = h.snapshot(1, 0);
    }
    List<VmProfile> after;
    try (var h = harness()) {
      h.initializeState(snapshot);
      h.open();
      after = feed(h, cut, N);
    }

    // then the restored task scores every later sample as the one that never stopped
    List<VmProfile> resumed = new ArrayList<>(before);
    resumed.addAll(after);
    assertThat(resumed).hasSameSizeAs(straight);
    for (int i = 0; i < straight.size(); i++) {
      VmProfile a = straight.get(i);
      VmProfile b = resumed.get(i);
      assertThat(b.anomalyScore()).as("profile %d", i).isEqualTo(a.anomalyScore());
      assertThat(b.anomalous()).isEqualTo(a.anomalous());
      assertThat(b.anomalyDetectors()).isEqualTo(a.anomalyDetectors());
    }

    // and the ensemble alarms on the shift within the hour, naming what fired on the CPU and
    // nothing on memory; before it (the warm-up included) it never fires (the chart may)
    long shiftS = T0 + 300L * AT;
    List<List<String>> fired =
        straight.stream()
            .filter(p -> p.windowEndS() >= shiftS && p.windowEndS() < shiftS + 3600)
            .map(p -> ensembleDetectors(p))
            .filter(d -> !d.isEmpty())
            .toList();
    assertThat(fired).isNotEmpty();
    assertThat(fired)
        .allSatisfy(
            d ->
                assertThat(d)
                    .allMatch(x -> x.endsWith("@cpu_pct"))
                    .allMatch(x -> AnomalyEnsemble.DETECTORS.contains(x.split("@")[0])));
    assertThat(straight.stream().filter(p -> p.windowEndS() < shiftS))
        .allMatch(p -> ensembleDetectors(p).isEmpty());
    assertThat(straight.stream().filter(p -> p.anomalous()))
        .allMatch(p -> !p.anomalyDetectors().isEmpty());
  }

  @Test
  void aNewDnaBeyondTheTrainingFleetShouldAlarmNamingItsDetector() {
    VmProfiler.Anomaly calm = new VmProfiler.Anomaly(0.2, false, List.of());
    List<Double> emb = List.of(0.1, 0.2);

    // both DNA scores below the alarm score (within the training fleet): as it was
    assertThat(VmProfiler.withDnaDetectors(calm, new VmDna(2, 0, emb, 0.999, 0.5))).isSameAs(calm);
    // an error beyond every training DNA's: an alarm naming the autoencoder
    assertThat(VmProfiler.withDnaDetectors(calm, new VmDna(2, 0, emb, 1.0, Double.NaN)))
        .isEqualTo(new VmProfiler.Anomaly(1.0, true, List.of(VmProfiler.AUTOENCODER_DETECTOR)));
    // both, on top of a series alarm
    VmProfiler.Anomaly spike = new VmProfiler.Anomaly(1.0, true, List.of("spike@cpu_pct"));
    assertThat(VmProfiler.withDnaDetectors(spike, new VmDna(2, 0, emb, 1.0, 1.0)).detectors())
        .containsExactly(
            "spike@cpu_pct", VmProfiler.AUTOENCODER_DETECTOR, VmProfiler.ONE_CLASS_DETECTOR);
  }

  /** A profile's detectors other than the chart's. */
  private static List<String> ensembleDetectors(VmProfile p) {
    return p.anomalyDetectors().stream().filter(d -> !d.equals(VmProfiler.CHART_DETECTOR)).toList();
  }

  @Test
  void withoutTheEnsembleTheChartAloneNamesItself() throws Exception {
    ProfilerConfig chartOnly = CONFIG.withAnomaly(null);
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<String, VmSample, VmProfile>(
            new KeyedProcessOperator<>(new VmProfileFunction(chartOnly)),
            VmSample::vmId,
            Types.STRING)) {
      h.open();
      List<VmProfile> out = feed(h, 0, N);
      assertThat(out.stream().filter(VmProfile::anomalous))
          .isNotEmpty()
          .allMatch(p -> p.anomalyDetectors().equals(List.of(VmProfiler.CHART_DETECTOR)));
      assertThat(out.stream().filter(p -> !p.anomalous()))
          .allMatch(p -> p.anomalyDetectors().isEmpty());
    }
  }
}
