package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.anomaly.AnomalyEnsemble;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectCommandTest {
  private final PrintStream out =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  @TempDir Path dir;

  /** 600 rows, 5 minutes apart, a calm wave, +30 from row 500; timestamps in the given style. */
  private Path csv(String name, String style) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("host,when,cpu,mem");
    long t0 = 1_375_308_000L;
    for (int i = 0; i < 900; i++) {
      long t = t0 + 300L * i;
      String stamp =
          switch (style) {
            case "iso" -> Instant.ofEpochSecond(t).toString();
            case "spaced" -> Instant.ofEpochSecond(t).toString().replace('T', ' ').replace("Z", "");
            default -> String.valueOf(t);
          };
      double v = 30 + 5 * Math.sin(2 * Math.PI * i / 288) + (i % 7) * 0.3 + (i >= 800 ? 60 : 0);
      lines.add(String.format(Locale.ROOT, "h1,%s,%.2f,%d", stamp, v, 1000 + i));
    }
    Path p = dir.resolve(name);
    Files.write(p, lines);
    return p;
  }

  private DetectCommand command(Path in, String time, String value) {
    return new DetectCommand(
        in, dir.resolve("out.csv"), time, value, AnomalyEnsemble.Config.defaults());
  }

  @Test
  void shouldWriteOneRowPerInputRowEchoingTimestampsInEveryFormat() throws Exception {
    for (String style : List.of("iso", "spaced", "epoch")) {
      // given
      Path in = csv(style + ".csv", style);

      // when
      DetectCommand.Summary s = command(in, null, null).run(out);

      // then
      List<String> rows = Files.readAllLines(dir.resolve("out.csv"));
      List<String> input = Files.readAllLines(in);
      assertThat(rows.getFirst()).isEqualTo(DetectCommand.HEADER);
      assertThat(rows).hasSize(901);
      assertThat(s.rows()).isEqualTo(900);
      for (int i = 1; i <= 900; i++) {
        String[] o = rows.get(i).split(",");
        String[] f = input.get(i).split(",");
        assertThat(o[0]).isEqualTo(f[1]);
        assertThat(o[1]).isEqualTo(f[2]);
        if (i <= AnomalyEnsemble.Config.defaults().warmUpRows()) {
          assertThat(o[2]).isEqualTo("0.0000");
          assertThat(o[3]).isEqualTo("0");
        }
      }
      assertThat(rows.subList(801, 813)).anyMatch(r -> r.endsWith(",1"));
      assertThat(rows.subList(577, 801)).noneMatch(r -> r.endsWith(",1"));
      // every alarm row names at least one detector
      assertThat(s.alarms()).isPositive();
      assertThat(s.firedBy().values().stream().mapToLong(Long::longValue).sum())
          .isGreaterThanOrEqualTo(s.alarms());
    }
  }

  @Test
  void shouldUseTheNamedValueColumn() throws Exception {
    Path in = csv("named.csv", "epoch");

    command(in, "when", "mem").run(out);

    assertThat(Files.readAllLines(dir.resolve("out.csv")).get(1)).startsWith("1375308000,1000,");
  }

  @Test
  void shouldNameFileAndLineOfMalformedInputAndWriteNothing() throws Exception {
    Path in = csv("bad.csv", "epoch");
    List<String> lines = new ArrayList<>(Files.readAllLines(in));
    lines.set(10, "h1,1375310700,abc,1");
    Files.write(in, lines);
    assertThatThrownBy(() -> command(in, null, "cpu").run(out))
        .hasMessageContaining(in + " line 11: column 'cpu' is not a number: 'abc'");

    lines.set(10, "h1,yesterday,1,1");
    Files.write(in, lines);
    assertThatThrownBy(() -> command(in, null, "cpu").run(out))
        .hasMessageContaining("line 11: timestamp 'yesterday' is not ISO-8601");

    lines.set(10, "h1,1375308000,1,1");
    Files.write(in, lines);
    assertThatThrownBy(() -> command(in, null, "cpu").run(out))
        .hasMessageContaining("line 11: timestamp 1375308000 is earlier than the row before");

    lines.set(10, "h1,1375310700,1");
    Files.write(in, lines);
    assertThatThrownBy(() -> command(in, null, "cpu").run(out))
        .hasMessageContaining("line 11: expected 4 fields, found 3");

    assertThatThrownBy(() -> command(in, null, "disk").run(out))
        .hasMessageContaining("line 1: no column 'disk' (--value-column)");
    Files.writeString(in, "");
    assertThatThrownBy(() -> command(in, null, null).run(out)).hasMessageContaining("empty file");
    assertThat(dir.resolve("out.csv")).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }
  }

  @Test
  void optionsShouldNameWhatIsMissing() {
    assertThatThrownBy(() -> Vmdna.detect(new String[] {"detect", "--input", "a.csv"}))
        .hasMessageContaining("detect needs --input FILE and --output FILE");
    assertThatThrownBy(() -> Vmdna.detectEval(new String[] {"detect-eval", "--traces", "a"}))
        .hasMessageContaining("detect-eval needs --traces DIR and --calibrate DIR");
    assertThat(
            Vmdna.detectEval(
                    new String[] {
                      "detect-eval", "--traces", "a", "--calibrate", "b", "--threshold", "0.95"
                    })
                .threshold())
        .isEqualTo(0.95);
    assertThat(
            Vmdna.detectEval(new String[] {"detect-eval", "--traces", "a", "--calibrate", "b"})
                .threshold())
        .isNaN();
    assertThat(
            Vmdna.detect(
                    new String[] {
                      "detect", "--input", "a.csv", "--output", "b.csv", "--threshold", "0.6"
                    })
                .config()
                .threshold())
        .isEqualTo(0.6);
    assertThatThrownBy(
            () ->
                Vmdna.detect(
                    new String[] {
                      "detect", "--input", "a.csv", "--output", "b.csv", "--threshold", "2"
                    }))
        .hasMessageContaining("threshold in (0, 1]");
  }
}
