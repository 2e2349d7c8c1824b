package io.vmdna.models.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the Bitbrains trace reader: mutants of a seed corpus ({@code fuzz-corpus/} on the test
 * classpath), plain and gzip, made with a fixed seed so a failure replays. Every mutant must give
 * either a trace (whose skipped lines name file and line) or a {@link TraceFormatException} naming
 * the file, within two seconds: no other exception, no hang.
 */
class TraceReaderFuzzTest {
  private static final long SEED = 20261122L;
  private static final int MUTANTS_PER_SEED = 300;
  private static final List<String> CORPUS = List.of("vm9.csv", "small.csv");

  @TempDir Path dir;

  @Test
  void shouldNeverCrashOrHangOnMalformedTraces() throws Exception {
    Random random = new Random(SEED);
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    int traces = 0;
    int refused = 0;
    int skippedLines = 0;
    for (String seed : CORPUS) {
      byte[] original = corpus(seed);
      for (int i = 0; i < MUTANTS_PER_SEED; i++) {
        byte[] mutant = Mutations.mutate(original, random);
        boolean gzip = random.nextInt(4) == 0;
        Path file = dir.resolve("m" + i + "-" + seed + (gzip ? ".gz" : ""));
        Files.write(file, gzip ? Mutations.gzip(mutant, random) : mutant);
        String replay = "mutant " + i + " of " + seed + " (seed " + SEED + ")";

        Object outcome =
            assertTimeoutPreemptively(
                Duration.ofSeconds(2),
                () -> {
                  try {
                    return reader.read(file);
                  } catch (TraceFormatException e) {
                    return e;
                  }
                },
                replay + " hung");

        if (outcome instanceof TraceFormatException e) {
          refused++;
          assertThat(e.getMessage()).as(replay).contains(file.toString());
        } else {
          traces++;
          VmTrace t = (VmTrace) outcome;
          for (SkippedLine s : t.skipped()) {
            skippedLines++;
            assertThat(s.file()).as(replay).isEqualTo(file);
            assertThat(s.line()).as(replay).isPositive();
            assertThat(s.toString()).as(replay).startsWith(file + ":" + s.line() + ": ");
          }
          assertThat(t.samples())
              .as(replay)
              .allSatisfy(x -> assertThat(Double.isFinite(x.cpuUsageMhz())).isTrue());
        }
        Files.delete(file);
      }
    }
    // the mutations reach every outcome: read whole, read with skipped lines, refused
    assertThat(traces).isPositive();
    assertThat(refused).isPositive();
    assertThat(skippedLines).isPositive();
  }

  private static byte[] corpus(String name) throws IOException {
    try (InputStream in =
        TraceReaderFuzzTest.class.getClassLoader().getResourceAsStream("fuzz-corpus/" + name)) {
      return in.readAllBytes();
    }
  }
}
