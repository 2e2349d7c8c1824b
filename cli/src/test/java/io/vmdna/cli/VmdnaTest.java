package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class VmdnaTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    return Vmdna.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void shouldPrintUsageAndFailWithoutCommand() throws Exception {
    assertThat(run()).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: ./vmdna", "demo");
  }

  @Test
  void shouldPrintOneCommandsUsageForHelpAfterIt() throws Exception {
    assertThat(run("bench-migrate", "--help")).isEqualTo(0);
    String usage = out.toString(StandardCharsets.UTF_8);
    assertThat(usage)
        .startsWith("usage: ./vmdna bench-migrate")
        .contains("--max-downtime-ms", "--guest-cache")
        .doesNotContain("bench-profiler", "dna-train");
    out.reset();
    assertThat(run("detect", "--input", "x.csv", "-h")).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("usage: ./vmdna detect ")
        .contains("--value-column")
        .doesNotContain("inject anomalies"); // detect-eval's line, which follows
    assertThat(Vmdna.usageOf("fly")).isEmpty();
  }

  @Test
  void badUsageShouldBeOneLineAndExitTwoOtherFailuresATraceAndOne() {
    assertThat(Vmdna.report(new IllegalArgumentException("unknown option --x for demo"), err()))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "vmdna: unknown option --x for demo\n"
                + "(./vmdna help lists the commands and their options)\n");
    err.reset();
    assertThat(Vmdna.report(new java.io.IOException("disk full"), err())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("vmdna: disk full\njava.io.IOException: disk full")
        .contains("\tat ");
  }

  private PrintStream err() {
    return new PrintStream(err, true, StandardCharsets.UTF_8);
  }

  @Test
  void shouldRejectUnknownCommand() throws Exception {
    assertThat(run("fly")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'fly'");
  }

  @Test
  void shouldParseDemoOptions() {
    DemoSettings s =
        Vmdna.parse(
            new String[] {
              "demo",
              "--data",
              "d",
              "--steps-per-second",
              "8",
              "--zeebe-port",
              "0",
              "--parallelism",
              "1",
              "--forecast-model",
              "trend"
            });
    assertThat(s.dataDir()).isEqualTo(Path.of("d"));
    assertThat(s.forecastModel()).isEqualTo("trend");
    assertThat(Vmdna.parse(new String[] {"demo"}).forecastModel()).isEqualTo("shipped");
    assertThat(s.stepsPerSecond()).isEqualTo(8);
    assertThat(s.zeebePort()).isZero();
    assertThat(s.flinkParallelism()).isEqualTo(1);
  }

  @Test
  void shouldNameTheBadOption() {
    assertThatThrownBy(() -> Vmdna.parse(new String[] {"demo", "--steps-per-second", "fast"}))
        .hasMessageContaining("--steps-per-second needs a number, got 'fast'");
    assertThatThrownBy(() -> Vmdna.parse(new String[] {"demo", "--speed", "1"}))
        .hasMessageContaining("unknown option --speed");
    assertThatThrownBy(() -> Vmdna.parse(new String[] {"demo", "--data"}))
        .hasMessageContaining("--data needs a value");
    assertThatThrownBy(() -> Vmdna.parse(new String[] {"demo", "--steps-per-second", "0"}))
        .hasMessageContaining("must be > 0");
  }

  @Test
  void shouldRunTheDemoOnARealGatewayWhenGivenOne() {
    assertThat(Vmdna.parse(new String[] {"demo", "--gateway", "http://localhost:26500"}).gateway())
        .isEqualTo("http://localhost:26500");
    assertThat(Vmdna.parse(new String[] {"demo"}).gateway()).isNull();
    assertThatThrownBy(
            () ->
                Vmdna.parse(new String[] {"demo", "--gateway", "http://h:1", "--zeebe-port", "2"}))
        .hasMessageContaining("--gateway (a real broker) and --zeebe-port");
    assertThatThrownBy(() -> Vmdna.parse(new String[] {"demo", "--gateway", "localhost:26500"}))
        .hasMessageContaining("--gateway needs an address like http://localhost:26500");
  }

  @Test
  void benchShouldNameTheBadOption() {
    assertThatThrownBy(() -> Vmdna.bench(new String[] {"bench", "--migrations", "many"}))
        .hasMessageContaining("--migrations needs a number, got 'many'");
    assertThatThrownBy(() -> Vmdna.bench(new String[] {"bench", "--hosts", "1"}))
        .hasMessageContaining("--hosts >= 2");
    assertThatThrownBy(() -> Vmdna.bench(new String[] {"bench", "--fast", "1"}))
        .hasMessageContaining("unknown option --fast for bench");
    assertThat(Vmdna.bench(new String[] {"bench", "--migrations", "7"}).migrations()).isEqualTo(7);
    assertThatThrownBy(() -> Vmdna.bench(new String[] {"bench", "--rate", "fast"}))
        .hasMessageContaining("--rate needs a number, got 'fast'");
    assertThatThrownBy(() -> Vmdna.bench(new String[] {"bench", "--rate", "-5"}))
        .hasMessageContaining("--rate must be a finite number of requests per second >= 0")
        .hasMessageContaining("was -5.0");
    assertThatThrownBy(() -> Vmdna.bench(new String[] {"bench", "--rate", "NaN"}))
        .hasMessageContaining("was NaN");
    assertThat(Vmdna.bench(new String[] {"bench", "--rate", "42.5"}).ratePerS()).isEqualTo(42.5);
    assertThat(Vmdna.bench(new String[] {"bench"}).ratePerS()).isZero();
    assertThatThrownBy(() -> Vmdna.bench(new String[] {"bench", "--host-mhz", "0"}))
        .hasMessageContaining("--host-mhz must be >= 1, was 0");
    assertThat(Vmdna.bench(new String[] {"bench", "--host-mhz", "300000"}).hostMhz())
        .isEqualTo(300_000);
    assertThat(Vmdna.bench(new String[] {"bench"}).hostMhz())
        .isEqualTo(MigrationBench.UNBOUND_HOST_MHZ);
    assertThatThrownBy(() -> Vmdna.bench(new String[] {"bench", "--warmup", "-1"}))
        .hasMessageContaining("--warmup must be >= 0, was -1");
    assertThat(Vmdna.bench(new String[] {"bench"}).warmups()).isZero();
    assertThat(Vmdna.bench(new String[] {"bench", "--gateway", "http://localhost:26500"}).warmups())
        .isEqualTo(MigrationBench.DEFAULT_WARMUPS);
    assertThat(Vmdna.bench(new String[] {"bench", "--warmup", "25"}).warmups()).isEqualTo(25);
  }

  @Test
  void evaluateShouldNeedTracesAndNameTheBadOption() {
    assertThatThrownBy(() -> Vmdna.evaluate(new String[] {"evaluate"}))
        .hasMessageContaining("evaluate needs --traces DIR");
    assertThatThrownBy(
            () ->
                Vmdna.evaluate(
                    new String[] {"evaluate", "--traces", "d", "--from-fraction", "1.5"}))
        .hasMessageContaining("--from-fraction must be in [0, 1), was 1.5");
    assertThatThrownBy(
            () -> Vmdna.evaluate(new String[] {"evaluate", "--traces", "d", "--models", "m"}))
        .hasMessageContaining("unknown option --models for evaluate");
  }

  @Test
  void dnaTrainShouldNeedItsFoldersAndNameTheBadOption() {
    assertThatThrownBy(() -> Vmdna.dnaTrain(new String[] {"dna-train", "--train", "t"}))
        .hasMessageContaining("dna-train needs --train DIR... and --validate DIR...");
    assertThatThrownBy(
            () -> Vmdna.dnaTrain(new String[] {"dna-train", "--train", "t", "--validate", "v"}))
        .hasMessageContaining("dna-train needs --output DIR");
    assertThatThrownBy(
            () ->
                Vmdna.dnaTrain(
                    new String[] {
                      "dna-train",
                      "--train",
                      "t",
                      "--validate",
                      "v",
                      "--output",
                      "o",
                      "--stride",
                      "0"
                    }))
        .hasMessageContaining("strideSamples must be >= 1, was 0");
    assertThatThrownBy(
            () ->
                Vmdna.dnaTrain(
                    new String[] {
                      "dna-train",
                      "--train",
                      "t",
                      "--validate",
                      "v",
                      "--output",
                      "o",
                      "--layers",
                      "3"
                    }))
        .hasMessageContaining("unknown option --layers for dna-train");
  }

  @Test
  void dnaTrainShouldLearnFromTheBundledExtract(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    int code =
        run(
            "dna-train",
            "--train",
            "../data/bitbrains-demo",
            "--validate",
            "../data/bitbrains-demo",
            "--output",
            dir.toString(),
            "--epochs",
            "3",
            "--stride",
            "72");

    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(printed)
        .contains("dna-train: schema 2 (157 features)", "autoencoder epoch 3", "shift_auc_error")
        .contains("wrote " + dir.resolve("dna-model.json"));
    var model = io.vmdna.models.dna.DnaModel.load(dir.resolve("dna-model.json"));
    assertThat(model.library()).hasSize(12);
    assertThat(model.training().settings().epochs()).isEqualTo(3);
  }

  @Test
  void evaluateShouldScoreTheBundledExtractAndSkipTheFleetFile(
      @org.junit.jupiter.api.io.TempDir Path out) throws Exception {
    var scores =
        new EvaluateCommand(Path.of("../data/bitbrains-demo"), "none", 0.5, out)
            .run(new PrintStream(this.out, true, StandardCharsets.UTF_8));
    assertThat(scores).containsOnlyKeys(3, 6, 12);
    assertThat(scores.get(6)).containsOnlyKeys("persistence", "seasonal-naive", "trend");
    assertThat(scores.get(6).get("persistence").forecasts()).isPositive();
    assertThat(this.out.toString(StandardCharsets.UTF_8))
        .contains("evaluate: 12 VMs")
        .doesNotContain("fleet.csv");
    assertThat(out.resolve("report.json")).exists();
  }

  @Test
  void shouldFailClearlyWithoutFleetFile() {
    DemoLoop loop =
        new DemoLoop(
            new DemoSettings(
                Path.of("no-such-folder"), Path.of("target/x"), 0, 1, 1, "trend", null));
    assertThatThrownBy(loop::start)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no fleet.csv in");
  }
}
