package io.vmdna.models.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmdna.models.VmSample;
import io.vmdna.models.eval.CpuForecaster;
import io.vmdna.models.eval.ForecastEvaluation;
import io.vmdna.models.predict.ModelManifest.BoosterEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains real XGBoost4J models on synthetic traces with a daily burst. */
class ForecastTrainerTest {
  private static final TrainingConfig CONFIG =
      new TrainingConfig("test", List.of(6), List.of(80.0), 4, 0.3, 30, 5, 1, 0.8, 42);

  @TempDir static Path dir;
  static Path model;
  static ModelManifest manifest;
  static List<String> progress = new ArrayList<>();

  @BeforeAll
  static void train() throws IOException {
    SyntheticTraces.write(dir.resolve("train"), 4, 8, 1);
    SyntheticTraces.write(dir.resolve("tune"), 4, 8, 100);
    model = dir.resolve("model");
    manifest =
        new ForecastTrainer(CONFIG)
            .train(
                List.of(dir.resolve("train")),
                List.of(dir.resolve("tune")),
                model,
                (done, total, what) -> progress.add(done + "/" + total + " " + what));
  }

  @Test
  void shouldWriteAManifestNamingFeaturesDataAndEveryBooster() throws IOException {
    assertThat(manifest.features()).isEqualTo(ForecastFeatures.NAMES);
    assertThat(manifest.schemaVersion()).isEqualTo(ForecastFeatures.SCHEMA_VERSION);
    assertThat(manifest.training().files()).isEqualTo(4);
    assertThat(manifest.training().sha256()).hasSize(64);
    assertThat(manifest.boosters())
        .extracting(BoosterEntry::file)
        .containsExactly(
            "cpu_pct-h6-quantile.ubj",
            "cpu_pct-h6-exceed80.ubj",
            "cpu_pct-h6-within80.ubj",
            "mem_pct-h6-quantile.ubj",
            "net_kbps-h6-quantile.ubj");
    for (BoosterEntry e : manifest.boosters()) {
      assertThat(ForecastModel.sha256(Files.readAllBytes(model.resolve(e.file()))))
          .isEqualTo(e.sha256());
    }
    assertThat(ForecastModel.sha256(Files.readAllBytes(model.resolve(PeerLibrary.FILE))))
        .isEqualTo(manifest.peers().sha256());
    assertThat(manifest.validation()).hasSize(3);
    assertThat(progress).last().asString().startsWith("5/5 wrote");
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
        .noneMatch(n -> n.startsWith(".training-"));
  }

  @Test
  void shouldForecastTheDailyBurstAheadAndBeatPersistence() {
    // given a VM the model never saw
    List<VmSample> unseen = SyntheticTraces.series("99", 8, 777);
    try (ForecastModel m = ForecastModel.load(model, 1)) {
      // when
      ForecastModel.SeriesForecast f = m.forecastCpu(SeriesArrays.of(unseen), 6, 80, 0);

      // then
      ForecastEvaluation eval = new ForecastEvaluation(0.5, 80);
      ForecastEvaluation.Score model =
          eval.score(
              CpuForecaster.precomputed(
                  "m", f.p50(), f.p90(), f.warnings(SeriesArrays.of(unseen).cpuPct(), 0)),
              unseen,
              6);
      ForecastEvaluation.Score persistence = eval.score(CpuForecaster.persistence(), unseen, 6);
      assertThat(model.onsets()).isEqualTo(4);
      assertThat(model.caught()).isEqualTo(4);
      assertThat(model.mae()).isLessThan(persistence.mae());
      for (int t = 0; t < unseen.size(); t++) {
        assertThat(f.p90()[t]).isGreaterThanOrEqualTo(f.p50()[t]);
        assertThat(f.pExceed()[t]).isBetween(0.0, 1.0);
      }
    }
  }

  @Test
  void shouldForecastMemoryAndNetworkInTheirUnits() {
    List<VmSample> unseen = SyntheticTraces.series("99", 3, 5);
    SeriesArrays a = SeriesArrays.of(unseen);
    float[] x = new float[ForecastFeatures.SIZE];
    int t = a.size() - 10;
    ForecastFeatures.fill(a, t, 6, x, 0);
    try (ForecastModel m = ForecastModel.load(model, 1)) {
      m.prepare(x, 1);
      double[][] mem = m.quantiles(Target.MEM_PCT, 6, x, 1);
      double[][] net = m.quantiles(Target.NET_KBPS, 6, x, 1);

      assertThat(mem[0][0]).isBetween(10.0, 60.0);
      assertThat(net[0][0]).isBetween(100.0, 400.0);
      assertThat(net[1][0]).isGreaterThanOrEqualTo(net[0][0]);
    }
  }

  @Test
  void shouldBeReproducible() throws IOException {
    ModelManifest again =
        new ForecastTrainer(CONFIG)
            .train(
                List.of(dir.resolve("train")),
                List.of(dir.resolve("tune")),
                dir.resolve("again"),
                (d, t, w) -> {});

    assertThat(again.boosters())
        .extracting(BoosterEntry::sha256)
        .isEqualTo(manifest.boosters().stream().map(BoosterEntry::sha256).toList());
  }

  @Test
  void shouldRefuseHorizonsAndThresholdsItWasNotTrainedFor() {
    try (ForecastModel m = ForecastModel.load(model, 1)) {
      assertThatThrownBy(() -> m.requireSupports(6, 70))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("thresholds [80.0] %, not 70.0 %")
          .hasMessageContaining("--thresholds");
      assertThatThrownBy(() -> m.requireSupports(3, 80))
          .hasMessageContaining("forecasts [30] minutes ahead, not 15");
    }
  }

  @Test
  void shouldRefuseADamagedBoosterFile() throws IOException {
    Path copy = copyModel("damaged");
    Files.write(copy.resolve("cpu_pct-h6-exceed80.ubj"), new byte[] {1, 2, 3});

    assertThatThrownBy(() -> ForecastModel.load(copy, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cpu_pct-h6-exceed80.ubj has digest")
        .hasMessageContaining("damaged or replaced");
  }

  @Test
  void shouldRefuseAPeerLibraryOfTheWrongShapeNamingTheFile() throws IOException {
    // given a peer library with a scale too few, its digest made to match
    Path copy = copyModel("bad-peers");
    ObjectMapper json = new ObjectMapper();
    ObjectNode peers = (ObjectNode) json.readTree(copy.resolve(PeerLibrary.FILE).toFile());
    ((com.fasterxml.jackson.databind.node.ArrayNode) peers.get("scale")).remove(4);
    json.writeValue(copy.resolve(PeerLibrary.FILE).toFile(), peers);
    ObjectNode m = (ObjectNode) json.readTree(copy.resolve(ModelManifest.FILE).toFile());
    ((ObjectNode) m.get("peers"))
        .put("sha256", ForecastModel.sha256(Files.readAllBytes(copy.resolve(PeerLibrary.FILE))));
    json.writeValue(copy.resolve(ModelManifest.FILE).toFile(), m);

    // when / then
    assertThatThrownBy(() -> ForecastModel.load(copy, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read peers.json")
        .hasMessageContaining("4 scales for 5 DNA dimensions");
  }

  @Test
  void shouldRefuseAModelOfAnotherFeatureSchema() throws IOException {
    Path copy = copyModel("old-schema");
    ObjectMapper json = new ObjectMapper();
    ObjectNode m = (ObjectNode) json.readTree(copy.resolve(ModelManifest.FILE).toFile());
    m.put("schemaVersion", 0);
    json.writeValue(copy.resolve(ModelManifest.FILE).toFile(), m);

    assertThatThrownBy(() -> ForecastModel.load(copy, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trained on feature schema 0")
        .hasMessageContaining("retrain");
  }

  @Test
  void shouldNameAFolderThatIsNotAModel() {
    assertThatThrownBy(() -> ForecastModel.load(dir.resolve("train"), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a forecast model folder")
        .hasMessageContaining("manifest.json");
  }

  @Test
  void shouldKeepTheOldModelWhenTrainingFails() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path out = copyModel("kept");

    assertThatThrownBy(
            () ->
                new ForecastTrainer(CONFIG)
                    .train(List.of(empty), List.of(dir.resolve("tune")), out, (d, t, w) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no readable Bitbrains trace in [" + empty);
    assertThat(out.resolve(ModelManifest.FILE)).exists();
    assertThatThrownBy(
            () ->
                new ForecastTrainer(CONFIG)
                    .train(
                        List.of(dir.resolve("nope")),
                        List.of(dir.resolve("tune")),
                        out,
                        (d, t, w) -> {}))
        .hasMessageContaining("not a folder of traces: " + dir.resolve("nope"));
  }

  @Test
  void shouldNameTheThresholdWhenNoTrainingRowCrossesIt() {
    Path out = dir.resolve("never-crossed");

    assertThatThrownBy(
            () ->
                new ForecastTrainer(CONFIG.with(List.of(6), List.of(99.99)))
                    .train(
                        List.of(dir.resolve("train")),
                        List.of(dir.resolve("tune")),
                        out,
                        (d, t, w) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no row where CPU % exceeds 99.99 % at 30 min ahead")
        .hasMessageContaining("threshold 99.99 %");
    assertThat(out).doesNotExist();
  }

  @Test
  void shouldValidateTheConfigurationNamingTheBadValue() {
    assertThatThrownBy(() -> CONFIG.with(List.of(13), List.of(80.0)))
        .hasMessageContaining("horizon 65 min");
    assertThatThrownBy(() -> CONFIG.with(List.of(6), List.of(100.0)))
        .hasMessageContaining("threshold 100.0 %");
  }

  private static Path copyModel(String name) throws IOException {
    Path copy = Files.createDirectories(dir.resolve(name));
    try (var files = Files.list(model)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    return copy;
  }
}
