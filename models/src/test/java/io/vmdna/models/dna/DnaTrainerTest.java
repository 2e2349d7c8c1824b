package io.vmdna.models.dna;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.predict.SyntheticTraces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnaTrainerTest {
  static final DnaTrainer.Config SMALL =
      new DnaTrainer.Config(24, new DnaAutoencoder.Settings(16, 4, 30, 16, 0.005, 1));

  @Test
  void shouldTrainMeasureAndWriteALoadableModel(@TempDir Path dir) throws Exception {
    SyntheticTraces.write(dir.resolve("train"), 4, 3, 10);
    SyntheticTraces.write(dir.resolve("validate"), 4, 3, 10);
    List<String> steps = new ArrayList<>();

    DnaModel m =
        new DnaTrainer(SMALL)
            .train(
                List.of(dir.resolve("train")),
                List.of(dir.resolve("validate")),
                dir.resolve("out"),
                (done, total, what) -> steps.add(done + "/" + total + " " + what));

    // 2 days after the first day's warm-up, a vector every 2 h: 24 per VM
    assertThat(m.training().vectors()).isEqualTo(4 * 24);
    assertThat(m.training().files()).isEqualTo(4);
    assertThat(m.training().sha256()).hasSize(64);
    assertThat(m.library())
        .extracting(DnaModel.LibraryEntry::vm)
        .containsExactly("1", "2", "3", "4");
    assertThat(m.autoencoder().embeddingSize()).isEqualTo(4);
    var f = m.training().figures();
    assertThat(f.get("error_mean_train")).isPositive();
    assertThat(f.get("vectors_validate")).isEqualTo(96);
    // the validation traces are the training ones: a snapshot (one moment of the day) is nearest
    // its own VM's mean far more often than chance; the VMs differ only in level and noise
    assertThat(f.get("identity_top1_random")).isEqualTo(0.25);
    assertThat(f.get("identity_top1_embedding")).isGreaterThanOrEqualTo(0.5);
    assertThat(f.get("identity_top1_scaled")).isGreaterThanOrEqualTo(0.5);
    assertThat(f.get("identity_top5_embedding")).isEqualTo(1); // only 4 VMs
    assertThat(f.get("shift_auc_error")).isGreaterThan(0.9);
    assertThat(steps).first().isEqualTo("0/38 DNA of 1.csv");
    assertThat(steps).contains("4/38 autoencoder epoch 1").last().isEqualTo("38/38 done");
    assertThat(DnaModel.load(dir.resolve("out").resolve(DnaModel.FILE)).library()).hasSize(4);
  }

  @Test
  void missingOrShortTracesShouldBeNamed(@TempDir Path dir) throws Exception {
    DnaTrainer t = new DnaTrainer(SMALL);
    Path none = dir.resolve("none");
    assertThatThrownBy(() -> t.train(List.of(none), List.of(none), dir, (a, b, c) -> {}))
        .hasMessageContaining("not a folder of traces: " + none);
    Path shortDir = dir.resolve("short");
    Files.createDirectories(shortDir);
    SyntheticTraces.write(shortDir, 1, 1, 1);
    assertThatThrownBy(() -> t.train(List.of(shortDir), List.of(shortDir), dir, (a, b, c) -> {}))
        .hasMessageContaining("no trace in [" + shortDir + "] has a day of samples");
    assertThat(dir.resolve(DnaModel.FILE)).doesNotExist();
    assertThatThrownBy(() -> new DnaTrainer.Config(0, DnaAutoencoder.Settings.defaults()))
        .hasMessageContaining("strideSamples must be >= 1, was 0");
  }
}
