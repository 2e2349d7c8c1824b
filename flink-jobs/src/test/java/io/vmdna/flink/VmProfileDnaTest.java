package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.Dna;
import io.vmdna.models.dna.DnaSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The DNA each profile carries: its schema, its cadence, and the fallback without a model. */
class VmProfileDnaTest {
  private static final long START = 1_375_315_200L; // 2013-08-01 00:00 UTC

  private static List<VmProfile> run(String dnaModel, int samples) throws Exception {
    ProfilerConfig config =
        ProfilerConfig.defaults(Map.of("h", 100_000.0))
            .withForecastModel(ProfilerConfig.TREND)
            .withDnaModel(dnaModel);
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<String, VmSample, VmProfile>(
            new KeyedProcessOperator<>(new VmProfileFunction(config)),
            VmSample::vmId,
            Types.STRING)) {
      h.open();
      for (int i = 0; i < samples; i++) {
        long t = START + 300L * i;
        double pct = 30 + 20 * Math.sin(2 * Math.PI * i / 288.0);
        h.processElement(
            new VmSample("vm-1", "h", t, 2, 5000, pct * 50, pct, 4e6, 1e6, 3, 4, 5, 6), t * 1000);
      }
      List<VmProfile> out = new ArrayList<>();
      for (Object o : h.getOutput()) {
        if (o instanceof StreamRecord<?> r && r.getValue() instanceof VmProfile p) {
          out.add(p);
        }
      }
      return out;
    }
  }

  @Test
  void withTheShippedModelTheEmbeddingShouldBeRefreshedOnceEveryThreeHours() throws Exception {
    List<VmProfile> profiles = run(ProfilerConfig.SHIPPED, 120); // ten hours

    assertThat(profiles).hasSize(120 - 5); // from the sixth sample (minSamples)
    assertThat(profiles)
        .allSatisfy(
            p -> {
              assertThat(p.dna().schemaVersion()).isEqualTo(DnaSchema.VERSION);
              assertThat(p.dna().embedding()).hasSize(16);
              assertThat(p.dna().errorScore()).isBetween(0.0, 1.0);
            });
    // computed at the first profile (25 minutes in) and at the first sample of every later
    // 3-hour period of the epoch (START is 00:00, so 03:00, 06:00 and 09:00)
    long every = VmProfiler.DNA_EVERY_S;
    long next = (START / every + 1) * every;
    assertThat(next - START).isEqualTo(3 * 3600);
    assertThat(profiles.stream().map(p -> p.dna().computedAtS()).distinct().toList())
        .containsExactly(START + 1500, next, next + every, next + 2 * every);
    assertThat(profiles.get(0).dna().embedding())
        .isNotEqualTo(profiles.getLast().dna().embedding());
  }

  @Test
  void withoutAModelTheShortDnaShouldComeWithEverySample() throws Exception {
    List<VmProfile> profiles = run(ProfilerConfig.NONE, 20);

    assertThat(profiles)
        .allSatisfy(
            p -> {
              assertThat(p.dna().schemaVersion()).isEqualTo(Dna.SCHEMA_VERSION);
              assertThat(p.dna().embedding()).hasSize(Dna.FEATURE_NAMES.size());
              assertThat(p.dna().computedAtS()).isEqualTo(p.windowEndS());
            });
  }
}
