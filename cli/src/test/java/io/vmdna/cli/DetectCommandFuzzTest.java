package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vmdna.models.anomaly.AnomalyEnsemble;
import io.vmdna.models.trace.Mutations;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@code ./vmdna detect}'s CSV reader: mutants of a seed corpus ({@code detect-corpus/} on
 * the test classpath), plain and gzip, with a fixed seed so a failure replays. Every mutant must
 * give an output with one row per input row, or an {@link IllegalArgumentException} naming the file
 * (and the line, for a bad row), leaving no output, within five seconds.
 */
class DetectCommandFuzzTest {
  private static final long SEED = 20261122L;
  private static final int MUTANTS_PER_SEED = 120;

  @TempDir Path dir;

  @Test
  void shouldNeverCrashOrHangOnMalformedSeries() throws Exception {
    Random random = new Random(SEED);
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    int written = 0;
    int refused = 0;
    for (String seed : List.of("epoch.csv", "spaced.csv")) {
      byte[] original;
      try (InputStream in =
          getClass().getClassLoader().getResourceAsStream("detect-corpus/" + seed)) {
        original = in.readAllBytes();
      }
      for (int i = 0; i < MUTANTS_PER_SEED; i++) {
        byte[] mutant = Mutations.mutate(original, random);
        boolean gzip = random.nextInt(4) == 0;
        Path input = dir.resolve("m" + i + "-" + seed + (gzip ? ".gz" : ""));
        Files.write(input, gzip ? Mutations.gzip(mutant, random) : mutant);
        Path output = dir.resolve("out-" + i + ".csv");
        String replay = "mutant " + i + " of " + seed + " (seed " + SEED + ")";
        DetectCommand detect =
            new DetectCommand(input, output, null, null, AnomalyEnsemble.Config.defaults());

        Object outcome =
            assertTimeoutPreemptively(
                Duration.ofSeconds(5),
                () -> {
                  try {
                    return detect.run(quiet);
                  } catch (IllegalArgumentException e) {
                    return e;
                  }
                },
                replay + " hung");

        if (outcome instanceof IllegalArgumentException e) {
          refused++;
          assertThat(e.getMessage()).as(replay).contains(input.toString());
          assertThat(output).as(replay + ": no output on failure").doesNotExist();
        } else {
          written++;
          DetectCommand.Summary s = (DetectCommand.Summary) outcome;
          assertThat(Files.readAllLines(output)).as(replay).hasSize((int) s.rows() + 1);
          Files.delete(output);
        }
        Files.delete(input);
      }
    }
    assertThat(written).isPositive();
    assertThat(refused).isPositive();
    try (var left = Files.list(dir)) {
      assertThat(left).as("no temporary file left behind").isEmpty();
    }
  }
}
