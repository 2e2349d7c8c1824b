package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.trace.BitbrainsTraceReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectEvalCommandTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  /** Calm VMs: a daily wave and a little noise, 12 days, in the Bitbrains format. */
  private static void traces(Path dir, int vms, long seed) throws Exception {
    Files.createDirectories(dir);
    Random r = new Random(seed);
    for (int v = 1; v <= vms; v++) {
      StringBuilder b = new StringBuilder(String.join(";\t", BitbrainsTraceReader.COLUMNS));
      b.append('\n');
      double level = 20 + r.nextInt(30);
      for (int i = 0; i < 12 * 288; i++) {
        double cpu = level + 8 * Math.sin(2 * Math.PI * i / 288) + r.nextGaussian();
        b.append(
            String.format(
                Locale.ROOT,
                "%d;\t2;\t5000;\t%.3f;\t%.3f;\t4000000;\t1000000;\t1;\t1;\t1;\t1%n",
                1_372_636_800L + 300L * i,
                cpu * 50,
                cpu));
      }
      Files.writeString(dir.resolve(v + ".csv"), b);
    }
  }

  @Test
  void shouldCalibrateOnOneFolderAndReportRecallPerKindOnTheOther(@TempDir Path dir)
      throws Exception {
    // given
    traces(dir.resolve("cal"), 2, 1);
    traces(dir.resolve("eval"), 3, 2);

    // when
    DetectEvalCommand.Result r =
        new DetectEvalCommand(
                dir.resolve("eval"), dir.resolve("cal"), Double.NaN, 7, dir.resolve("out"))
            .run(out);

    // then on calm series the obvious anomalies are caught and nothing else alarms
    assertThat(r.vms()).isEqualTo(3);
    assertThat(r.calibrationFalseAlarmsPerVmWeek()).isLessThanOrEqualTo(1);
    assertThat(r.recall()).containsOnlyKeys("level_shift", "spike", "drift", "daily_pattern");
    assertThat(r.recall().get("level_shift")).isEqualTo(1.0);
    assertThat(r.recall().get("spike")).isEqualTo(1.0);
    assertThat(r.falseAlarmsPerVmWeek()).isLessThanOrEqualTo(1);
    assertThat(r.chance()).containsOnlyKeys(r.recall().keySet());
    assertThat(r.chance().get("spike")).isZero(); // nothing alarms on the calm series
    assertThat(r.grid()).extracting(DetectEvalCommand.Row::threshold).contains(r.threshold());
    assertThat(dir.resolve("out/report.json")).content().contains("\"recall\"", "\"grid\"");
  }

  @Test
  void shouldInjectEachKindAsDefined() {
    double[] flat = new double[2000];
    java.util.Arrays.fill(flat, 10);
    for (int i = 0; i < flat.length; i++) {
      flat[i] += i % 288 == 100 ? 5 : 0; // a daily marker to see the moved pattern
    }

    double[] shift = DetectEvalCommand.inject(flat, DetectEvalCommand.Kind.LEVEL_SHIFT, 500);
    double[] spike = DetectEvalCommand.inject(flat, DetectEvalCommand.Kind.SPIKE, 500);
    double[] drift = DetectEvalCommand.inject(flat, DetectEvalCommand.Kind.DRIFT, 500);
    double[] moved = DetectEvalCommand.inject(flat, DetectEvalCommand.Kind.DAILY_PATTERN, 500);

    assertThat(shift[499]).isEqualTo(10);
    assertThat(shift[500]).isEqualTo(40);
    assertThat(shift[523]).isEqualTo(40);
    assertThat(shift[524]).isEqualTo(10);
    assertThat(spike[500]).isEqualTo(100);
    assertThat(spike[501]).isEqualTo(10);
    assertThat(drift[500 + 287]).isEqualTo(30);
    assertThat(drift[500 + 143]).isEqualTo(20);
    assertThat(moved[576 + 100 + 72]).isEqualTo(15); // the marker arrives 6 h late
    assertThat(moved[576 + 100]).isEqualTo(10);
  }

  @Test
  void shouldRefuseFoldersWithoutLongEnoughTraces(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("empty"));

    assertThatThrownBy(
            () ->
                new DetectEvalCommand(dir.resolve("empty"), dir.resolve("empty"), 0.9, 1, dir)
                    .run(out))
        .hasMessageContaining("longer than 10 days");
  }
}
