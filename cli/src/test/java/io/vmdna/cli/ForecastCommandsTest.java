package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.trace.BitbrainsTraceReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train}, {@code evaluate --model}, {@code forecast} and {@code bench-forecast}. */
class ForecastCommandsTest {
  private static final Path DEMO = Path.of("../data/bitbrains-demo");
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void forecastShouldWriteOneRowPerSampleWithTheShippedModel(@TempDir Path dir) throws Exception {
    // given
    Path csv = dir.resolve("out/forecast.csv");

    // when
    long rows = new ForecastCommand(DEMO, 6, 80, "shipped", csv).run(out);

    // then
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.getFirst()).isEqualTo(ForecastCommand.HEADER);
    long samples = 0;
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    for (Path f : BitbrainsTraceReader.listTraceFiles(DEMO)) {
      if (!f.getFileName().toString().startsWith("fleet")) {
        samples += reader.read(f).samples().size();
      }
    }
    assertThat(rows).isEqualTo(samples).isEqualTo(lines.size() - 1);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      assertThat(f).hasSize(7);
      assertThat(f[2]).isEqualTo("1800");
      double p50 = Double.parseDouble(f[3]);
      double p90 = Double.parseDouble(f[4]);
      double p = Double.parseDouble(f[5]);
      assertThat(p90).isGreaterThanOrEqualTo(p50);
      assertThat(p).isBetween(0.0, 1.0);
      assertThat(f[6]).isIn("0", "1");
    }
    // the fleet layout beside the traces is not a trace: not read, not reported as skipped
    assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("fleet.csv");
    try (var left = Files.list(dir.resolve("out"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("forecast.csv");
    }
  }

  @Test
  void forecastShouldRefuseAThresholdTheModelWasNotTrainedForAndLeaveNoFile(@TempDir Path dir) {
    Path csv = dir.resolve("forecast.csv");

    assertThatThrownBy(() -> new ForecastCommand(DEMO, 6, 75, "shipped", csv).run(out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not 75.0 %");
    assertThat(csv).doesNotExist();
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void forecastOptionsShouldNameWhatIsMissingOrWrong() {
    assertThatThrownBy(() -> Vmdna.forecast(new String[] {"forecast", "--traces", "."}))
        .hasMessageContaining(
            "forecast needs --traces DIR, --horizon (e.g. 30m) and --output FILE");
    assertThatThrownBy(
            () ->
                Vmdna.forecast(
                    new String[] {
                      "forecast", "--traces", "nope", "--horizon", "30m", "--output", "f.csv"
                    }))
        .hasMessageContaining("--traces nope is not a folder");
    assertThatThrownBy(() -> Vmdna.horizon("45s"))
        .hasMessageContaining("horizon '45s' is not a duration like 15m, 30m or 1h");
    assertThatThrownBy(() -> Vmdna.horizon("7m"))
        .hasMessageContaining("multiple of the 5-minute sample interval");
    assertThatThrownBy(() -> Vmdna.horizon("2h")).hasMessageContaining("5 to 60 minutes");
    assertThat(Vmdna.horizons("15m, 30m,1h")).containsExactly(3, 6, 12);
  }

  @Test
  void trainOptionsShouldNameWhatIsMissing() {
    assertThatThrownBy(() -> Vmdna.train(new String[] {"train", "--train", "a", "b"}))
        .hasMessageContaining("train needs --train DIR... and --validate DIR...");
    assertThatThrownBy(() -> Vmdna.train(new String[] {"train", "--train", "a", "--validate", "b"}))
        .hasMessageContaining("train needs --output DIR");
    assertThatThrownBy(() -> Vmdna.train(new String[] {"train", "--train", "--validate", "b"}))
        .hasMessageContaining("option --train needs a value");
    TrainCommand c =
        Vmdna.train(
            new String[] {
              "train",
              "--train",
              "a",
              "b",
              "--validate",
              "c",
              "--output",
              "m",
              "--horizons",
              "15m,1h",
              "--thresholds",
              "70,90",
              "--rounds",
              "7"
            });
    assertThat(c.train()).containsExactly(Path.of("a"), Path.of("b"));
    assertThat(c.config().horizons()).containsExactly(3, 12);
    assertThat(c.config().thresholdsPct()).containsExactly(70.0, 90.0);
    assertThat(c.config().maxRounds()).isEqualTo(7);
  }

  @Test
  void trainThenEvaluateShouldReportTheModelBesideTheBaselines(@TempDir Path dir) throws Exception {
    // given: the bundled extract is one day per VM; half of it tunes
    Path model = dir.resolve("model");
    new TrainCommand(
            List.of(DEMO),
            List.of(DEMO),
            model,
            io.vmdna.models.predict.TrainingConfig.defaults().with(List.of(6), List.of(80.0)))
        .run(out);

    // when
    var scores = new EvaluateCommand(DEMO, model.toString(), 0.5, dir.resolve("eval")).run(out);

    // then
    assertThat(scores.get(6)).containsKeys("persistence", "seasonal-naive", "xgboost");
    assertThat(scores.get(3)).doesNotContainKey("xgboost");
    assertThat(scores.get(6).get("xgboost").forecasts())
        .isEqualTo(scores.get(6).get("persistence").forecasts());
    assertThat(dir.resolve("eval/report.json")).content().contains("\"reliability\"");
    assertThat(dir.resolve("eval/reliability-30min.png")).isNotEmptyFile();
    assertThat(dir.resolve("eval/table.md"))
        .content()
        .contains(
            "| 30 min | xgboost |",
            "Cold start: the first 24 h",
            "| 30 min | mem_pct (%) |",
            "| 30 min | net_kbps (KiB/s) |");
    assertThat(dir.resolve("eval/report.json")).content().contains("\"coldStart\"");
    try (var pngs = Files.list(dir.resolve("eval"))) {
      assertThat(pngs.map(p -> p.getFileName().toString()))
          .filteredOn(n -> n.startsWith("forecast-"))
          .hasSize(3);
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("[########################] 100%", "wrote " + model.resolve("manifest.json"));
  }

  @Test
  void benchForecastShouldMeasureEveryPhase() {
    ForecastBench.Result r = new ForecastBench(DEMO, "shipped", 6, 500, 1).run(out);

    assertThat(r.forecasts()).isEqualTo(12 * 289);
    assertThat(r.featuresPerS()).isPositive();
    assertThat(r.scoringPerS()).isPositive();
    assertThat(r.totalPerS()).isLessThan(Math.min(r.featuresPerS(), r.scoringPerS()));
    assertThatThrownBy(() -> Vmdna.benchForecast(new String[] {"bench-forecast"}))
        .hasMessageContaining("bench-forecast needs --traces DIR");
  }
}
