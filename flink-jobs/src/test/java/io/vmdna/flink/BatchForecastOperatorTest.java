package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.DnaCalculator;
import io.vmdna.models.forecast.Forecast;
import io.vmdna.models.predict.ForecastFeatures;
import io.vmdna.models.predict.SeriesArrays;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The batching scorer with the shipped model, in Flink's operator test harness. */
class BatchForecastOperatorTest {
  private static final Forecast TREND = new Forecast(1800, 1, 2, 1, 10, 20, 0.5, 80, 3, 4);
  private OneInputStreamOperatorTestHarness<VmProfile, VmProfile> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        new OneInputStreamOperatorTestHarness<>(
            new BatchForecastOperator(ProfilerConfig.SHIPPED, 6, 80, 3));
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private static VmProfile profile(String vm, double cpuPct, boolean withRow) {
    List<VmSample> s = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      s.add(
          new VmSample(
              vm,
              "h",
              1_375_308_000L + 300L * i,
              2,
              5000,
              cpuPct * 50,
              cpuPct,
              4e6,
              1e6,
              1,
              1,
              10,
              10));
    }
    float[] row = new float[ForecastFeatures.SIZE];
    ForecastFeatures.fill(SeriesArrays.of(s), s.size() - 1, 6, row, 0);
    return new VmProfile(
        vm,
        "h",
        s.getLast().timestampS(),
        VmDna.raw(new DnaCalculator().compute(s.subList(12, 24))),
        0,
        false,
        List.of(),
        TREND,
        1e6,
        withRow ? new ModelInput(row, 5000, 4e6, TREND.horizonS()) : null);
  }

  @Test
  void shouldHoldProfilesUntilTheWatermarkThenEmitThemScoredInOrder() throws Exception {
    // when
    harness.processElement(new StreamRecord<>(profile("a", 90, true), 1));
    harness.processElement(new StreamRecord<>(profile("b", 10, true), 2));

    // then nothing leaves before the watermark, and everything before it
    assertThat(harness.extractOutputValues()).isEmpty();
    harness.processWatermark(new Watermark(5));
    List<VmProfile> out = harness.extractOutputValues();
    assertThat(out).extracting(VmProfile::vmId).containsExactly("a", "b");
    assertThat(new ArrayList<>(harness.getOutput()).getLast()).isEqualTo(new Watermark(5));
    VmProfile hot = out.getFirst();
    VmProfile cold = out.getLast();
    assertThat(hot.modelInput()).isNull();
    assertThat(hot.forecast()).isNotEqualTo(TREND);
    assertThat(hot.forecast().cpuP90Pct()).isGreaterThanOrEqualTo(hot.forecast().cpuP50Pct());
    assertThat(hot.forecast().cpuP50Mhz()).isEqualTo(hot.forecast().cpuP50Pct() * 50);
    assertThat(hot.forecast().pExceed()).isGreaterThan(cold.forecast().pExceed());
    assertThat(cold.forecast().cpuP50Pct()).isLessThan(30);
  }

  @Test
  void shouldFlushAFullBatchAndBeforeACheckpoint() throws Exception {
    for (int i = 0; i < 4; i++) {
      harness.processElement(new StreamRecord<>(profile("v" + i, 50, true), i));
    }
    assertThat(harness.extractOutputValues()).hasSize(3);

    harness.prepareSnapshotPreBarrier(1);

    assertThat(harness.extractOutputValues()).hasSize(4);
  }

  @Test
  void shouldPassProfilesWithoutAFeatureRowStraightThrough() throws Exception {
    VmProfile p = profile("t", 50, false);

    harness.processElement(new StreamRecord<>(p, 7));

    assertThat(harness.extractOutputValues()).containsExactly(p);
  }

  @Test
  void shouldRefuseAHorizonTheModelDoesNotHave() {
    assertThatThrownBy(
            () -> {
              try (var h =
                  new OneInputStreamOperatorTestHarness<VmProfile, VmProfile>(
                      new BatchForecastOperator(ProfilerConfig.SHIPPED, 5, 80, 3))) {
                h.open();
              }
            })
        .hasMessageContaining("not 25");
  }
}
