package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command runs its migrations to completion and reports them (no timing asserted). */
class MigrationBenchIT {
  @TempDir Path work;

  @Test
  void shouldCompleteEveryMigrationAndReportEachJobType() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    new MigrationBench(6, 3, Path.of("../data/bitbrains-demo"), work, null)
        .run(new PrintStream(out, true, StandardCharsets.UTF_8));

    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .contains("bench: 6 migrations ended {MIGRATED=6} in")
        .contains("migrations/s")
        .contains("CPU while they ran:")
        .contains("its child processes (qemu-img)")
        .contains("outcomes other than OK: none")
        .containsPattern("longest wait for one step: \\d+ ms \\([a-z-]+ of bench-");
    for (String job :
        new String[] {
          "scan-hosts",
          "reserve-capacity",
          "convert-image",
          "migrate",
          "verify-migration",
          "record-dna"
        }) {
      assertThat(report).containsPattern(java.util.regex.Pattern.quote(job) + " +n +6 ");
    }
  }

  @Test
  void shouldPaceTheRequestsWhenGivenARate() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    // 12 requests at 20/s: the last one is due 0.55 s after the first
    new MigrationBench(
            12,
            3,
            Path.of("../data/bitbrains-demo"),
            work,
            null,
            20,
            MigrationBench.UNBOUND_HOST_MHZ,
            0)
        .run(new PrintStream(out, true, StandardCharsets.UTF_8));

    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(report).contains("bench: 12 migrations ended {MIGRATED=12} in");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("publishing took ([0-9.]+) s, paced at 20.0/s")
            .matcher(report);
    assertThat(m.find()).as(report).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(0.5);
    assertThat(report).contains("steady state (10th to 90th percentile of end times): 9 in");
  }

  @Test
  void shouldRunTheWarmUpFirstAndLeaveItOutOfTheFigures() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    new MigrationBench(
            4,
            3,
            Path.of("../data/bitbrains-demo"),
            work,
            null,
            0,
            MigrationBench.UNBOUND_HOST_MHZ,
            3)
        .run(new PrintStream(out, true, StandardCharsets.UTF_8));

    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .contains("bench: warm-up: 3 migrations ended {MIGRATED=3} in")
        .contains("bench: 4 migrations ended {MIGRATED=4} in");
    assertThat(report.indexOf("warm-up")).isLessThan(report.indexOf("bench: 4 migrations ended"));
    for (String job : new String[] {"scan-hosts", "record-dna"}) {
      assertThat(report).containsPattern(java.util.regex.Pattern.quote(job) + " +n +4 ");
    }
  }
}
