package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.VmTrace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench-profiler on a real MiniCluster, small: every sample of every size goes through. */
class ProfilerBenchTest {
  @Test
  void shouldReplayEveryFleetSizeThroughTheJob() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    List<ProfilerBench.Row> rows =
        new ProfilerBench(
                List.of(Path.of("../data/bitbrains-demo")),
                List.of(30, 60),
                10,
                20,
                2,
                "trend",
                "chart",
                1)
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
  void thePlainLoopShouldLetThroughTheJobsSignals() throws Exception {
    // a day of the demo's traces on hosts overcommitted 2.5 times: overloads and anomalies; the
    // loop runs the job's per-sample, host and gate code, so the same signals come out of both
    List<ProfilerBench.Row> rows =
        new ProfilerBench(
                List.of(Path.of("../data/bitbrains-demo")),
                List.of(24),
                4,
                280,
                2,
                "trend",
                "chart",
                0)
            .run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    ProfilerBench.Row r = rows.getFirst();
    assertThat(r.signals()).isPositive();
    assertThat(r.loopSignals()).isEqualTo(r.signals());
  }

  @Test
  void shouldSayHowUnevenlyTheKeyGroupsSplitTheVms() {
    ProfilerBench two =
        new ProfilerBench(List.of(Path.of("x")), List.of(100), 20, 10, 2, "trend", "chart", 1);
    ProfilerBench one =
        new ProfilerBench(List.of(Path.of("x")), List.of(100), 20, 10, 1, "trend", "chart", 1);

    // Flink's hash of "vm-0".."vm-99" over 128 key groups: 42 and 58 VMs
    assertThat(two.busiestShare(100)).isEqualTo(0.58);
    assertThat(one.busiestShare(100)).isEqualTo(1.0);
    assertThat(two.busiestShare(5_000)).isBetween(0.5, 0.51);
  }

  @Test
  void thePlainLoopShouldScoreWithTheShippedModelToo() throws Exception {
    List<ProfilerBench.Row> rows =
        new ProfilerBench(
                List.of(Path.of("../data/bitbrains-demo")),
                List.of(20),
                10,
                30,
                1,
                "shipped",
                "chart",
                1)
            .run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    assertThat(rows.getFirst().samples()).isEqualTo(600L);
    assertThat(rows.getFirst().loopSamplesPerSecond()).isPositive();
    assertThat(rows.getFirst().shareOfLoop(1)).isPositive();
    assertThat(rows.getFirst().loopSignals()).isEqualTo(rows.getFirst().signals());
  }

  @Test
  void shouldJoinAVmsTracesFromSeveralFoldersInOrder(@TempDir Path tmp) throws Exception {
    // trace 1 of the demo cut in two: its first half in one folder, the rest in another
    List<String> lines;
    try (var in =
        new java.util.zip.GZIPInputStream(
            Files.newInputStream(Path.of("../data/bitbrains-demo/1.csv.gz")))) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    int half = lines.size() / 2;
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    Files.write(a.resolve("1.csv"), lines.subList(0, half));
    List<String> rest = new ArrayList<>(List.of(lines.getFirst())); // the header again
    rest.addAll(lines.subList(half, lines.size()));
    Files.write(b.resolve("1.csv"), rest);
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    VmTrace whole = reader.read(Path.of("../data/bitbrains-demo/1.csv.gz"));

    List<VmTrace> joined = ProfilerBench.joined(List.of(a, b), reader);

    assertThat(joined).hasSize(1);
    assertThat(joined.getFirst().vmId()).isEqualTo("1");
    assertThat(joined.getFirst().samples()).isEqualTo(whole.samples());
    // the other way round, or one folder twice, goes back in time: refused, naming both
    assertThatThrownBy(() -> ProfilerBench.joined(List.of(b, a), reader))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("VM 1's samples in " + a)
        .hasMessageContaining("not after those in " + b);
  }

  @Test
  void shouldRefuseBadSizesAndTooManySteps() {
    assertThatThrownBy(
            () ->
                new ProfilerBench(
                    List.of(Path.of("x")), List.of(0), 20, 10, 1, "trend", "chart", 1))
        .hasMessageContaining("--vms needs sizes >= 1");
    assertThatThrownBy(
            () ->
                new ProfilerBench(List.of(Path.of("x")), List.of(5), 0, 10, 1, "trend", "chart", 1))
        .hasMessageContaining("--vms-per-host >= 1");
    assertThatThrownBy(
            () ->
                new ProfilerBench(
                    List.of(Path.of("x")), List.of(5), 5, 10, 1, "trend", "chart", -1))
        .hasMessageContaining("--warmups >= 0");
    assertThatThrownBy(
            () -> new ProfilerBench(List.of(), List.of(5), 5, 10, 1, "trend", "chart", 1))
        .hasMessageContaining("--traces needs at least one folder");
    assertThatThrownBy(
            () -> new ProfilerBench(List.of(Path.of("x")), List.of(5), 5, 10, 1, "trend", "x", 1))
        .hasMessageContaining("anomaly detection must be 'chart' or 'ensemble', was 'x'");
    assertThatThrownBy(
            () ->
                new ProfilerBench(
                        List.of(Path.of("../data/bitbrains-demo")),
                        List.of(5),
                        5,
                        100_000,
                        1,
                        "trend",
                        "chart",
                        1)
                    .run(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
        .hasMessageContaining("has 100000 samples (--steps)");
  }
}
