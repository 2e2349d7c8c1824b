package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bench-profiler on a real MiniCluster, small: every sample of every size goes through. */
class ProfilerBenchTest {
  @Test
  void shouldReplayEveryFleetSizeThroughTheJob() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    List<ProfilerBench.Row> rows =
        new ProfilerBench(
                Path.of("../data/bitbrains-demo"), List.of(30, 60), 10, 20, 2, "trend", "chart")
            .run(new PrintStream(buf, true, StandardCharsets.UTF_8));

    assertThat(rows).extracting(ProfilerBench.Row::samples).containsExactly(600L, 1200L);
    assertThat(rows).extracting(ProfilerBench.Row::hosts).containsExactly(3, 6);
    assertThat(rows).allSatisfy(r -> assertThat(r.samplesPerSecond()).isPositive());
    assertThat(rows).allSatisfy(r -> assertThat(r.peakHeapMiB()).isPositive());
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("| 60 | 6 | 1,200 |");
    // the same code in a plain loop, beside the job
    assertThat(rows).allSatisfy(r -> assertThat(r.loopSamplesPerSecond()).isPositive());
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("per slot / loop");
  }

  @Test
  void shouldSayHowUnevenlyTheKeyGroupsSplitTheVms() {
    ProfilerBench two = new ProfilerBench(Path.of("x"), List.of(100), 20, 10, 2, "trend", "chart");
    ProfilerBench one = new ProfilerBench(Path.of("x"), List.of(100), 20, 10, 1, "trend", "chart");

    // Flink's hash of "vm-0".."vm-99" over 128 key groups: 42 and 58 VMs
    assertThat(two.busiestShare(100)).isEqualTo(0.58);
    assertThat(one.busiestShare(100)).isEqualTo(1.0);
    assertThat(two.busiestShare(5_000)).isBetween(0.5, 0.51);
  }

  @Test
  void thePlainLoopShouldScoreWithTheShippedModelToo() throws Exception {
    List<ProfilerBench.Row> rows =
        new ProfilerBench(
                Path.of("../data/bitbrains-demo"), List.of(20), 10, 30, 1, "shipped", "chart")
            .run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    assertThat(rows.getFirst().samples()).isEqualTo(600L);
    assertThat(rows.getFirst().loopSamplesPerSecond()).isPositive();
    assertThat(rows.getFirst().shareOfLoop(1)).isPositive();
  }

  @Test
  void shouldRefuseBadSizesAndTooManySteps() {
    assertThatThrownBy(
            () -> new ProfilerBench(Path.of("x"), List.of(0), 20, 10, 1, "trend", "chart"))
        .hasMessageContaining("--vms needs sizes >= 1");
    assertThatThrownBy(
            () -> new ProfilerBench(Path.of("x"), List.of(5), 0, 10, 1, "trend", "chart"))
        .hasMessageContaining("--vms-per-host >= 1");
    assertThatThrownBy(() -> new ProfilerBench(Path.of("x"), List.of(5), 5, 10, 1, "trend", "x"))
        .hasMessageContaining("anomaly detection must be 'chart' or 'ensemble', was 'x'");
    assertThatThrownBy(
            () ->
                new ProfilerBench(
                        Path.of("../data/bitbrains-demo"),
                        List.of(5),
                        5,
                        100_000,
                        1,
                        "trend",
                        "chart")
                    .run(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
        .hasMessageContaining("has 100000 samples (--steps)");
  }
}
