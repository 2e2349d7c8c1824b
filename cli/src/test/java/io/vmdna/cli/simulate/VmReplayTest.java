package io.vmdna.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.flink.ProfilerConfig;
import io.vmdna.flink.VmDna;
import io.vmdna.flink.VmProfiler;
import io.vmdna.models.VmSample;
import io.vmdna.models.dna.DnaExtractor;
import io.vmdna.models.dna.DnaModel;
import io.vmdna.models.dna.DnaSchema;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.VmTrace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator's signals carry the DNA the streaming job would carry at the same sample. */
class VmReplayTest {
  @Test
  void shouldCarryTheStreamingJobsDnaAtEverySample() {
    VmTrace trace = new BitbrainsTraceReader().read(Path.of("../data/bitbrains-demo/47.csv.gz"));
    ProfilerConfig config =
        ProfilerConfig.defaults(Map.of()).withForecastModel(ProfilerConfig.TREND);
    VmReplay replay = new VmReplay(trace, config);
    DnaModel model = DnaModel.shipped();
    DnaExtractor extractor = new DnaExtractor();

    // the job's profile, sample by sample: the DNA it holds after each
    VmProfiler profiler = new VmProfiler(config);
    VmProfiler.State st = new VmProfiler.State();
    List<VmDna> job = new ArrayList<>();
    for (VmSample s : trace.samples()) {
      profiler.profile(st, s.onHost("host-a")); // the job's samples come from a host
      job.add(st.dna);
    }

    int compared = 0;
    for (int i = config.minSamples() - 1; i < trace.samples().size(); i += 7) {
      VmDna d = replay.dna(i, config, model, extractor);
      assertThat(d).as("sample %d", i).isEqualTo(job.get(i));
      compared++;
    }
    assertThat(compared).isGreaterThan(30);
    assertThat(job.getLast().schemaVersion()).isEqualTo(DnaSchema.VERSION);
    assertThat(job.getLast().embedding()).hasSize(16);

    // without a DNA model: the short schema-1 DNA of the window, as the job's signals then carry
    assertThat(replay.dna(100, config, null, extractor).schemaVersion()).isEqualTo(1);
  }
}
