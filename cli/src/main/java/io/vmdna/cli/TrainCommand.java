package io.vmdna.cli;

import io.vmdna.models.predict.ForecastTrainer;
import io.vmdna.models.predict.ModelManifest;
import io.vmdna.models.predict.TrainingConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./vmdna train}: trains the XGBoost4J forecast models on the training traces, tunes them
 * (early stopping, pExceed calibration, warning cut-off) on the leading 80 % of each validation
 * trace, and writes the model folder with its manifest. Prints a progress bar and the tuning
 * figures beside the baselines.
 *
 * @param train folders of training traces
 * @param validate folders of validation traces (only their leading part is read)
 * @param output the model folder (replaced atomically)
 * @param config horizons, thresholds and booster settings
 */
public record TrainCommand(
    List<Path> train, List<Path> validate, Path output, TrainingConfig config) {

  /** Trains; returns the manifest written. */
  public ModelManifest run(PrintStream out) throws IOException {
    out.printf(
        "train: %s on %s, tuned on the first %.0f %% of %s, horizons %s min, thresholds %s %%%n",
        config.name(),
        train,
        config.tuningFraction() * 100,
        validate,
        config.horizons().stream().map(h -> h * 5).toList(),
        config.thresholdsPct());
    long t0 = System.nanoTime();
    ModelManifest m =
        new ForecastTrainer(config).train(train, validate, output, new ProgressBar(out));
    out.printf(
        "  trained in %.0f s on %d rows (%d files), tuned on %d rows (%d files)%n",
        (System.nanoTime() - t0) / 1e9,
        m.training().rows(),
        m.training().files(),
        m.tuning().rows(),
        m.tuning().files());
    out.println(
        "  target    horizon  MAE model  persistence  seasonal-naive  p90cov   caught% (naive)  false/VM-day (naive)  warnAt");
    for (ModelManifest.ValidationFigures f : m.validation()) {
      String warn = "";
      if (f.warning() != null) {
        var w = f.warning();
        warn =
            "   %5.1f (%5.1f)   %8.2f (%8.2f)    %.2f"
                .formatted(
                    100 * w.caughtShare(),
                    100 * w.seasonalNaiveCaughtShare(),
                    w.falseWarningsPerVmDay(),
                    w.seasonalNaiveFalseWarningsPerVmDay(),
                    w.warnAt());
      }
      out.printf(
          "  %-9s %4d min  %9.3f  %11.3f  %14.3f  %6.3f%s%n",
          f.target().id(),
          f.horizon() * 5,
          f.maeModel(),
          f.maePersistence(),
          f.maeSeasonalNaive(),
          f.p90Coverage(),
          warn);
    }
    out.println("  wrote " + output.resolve(ModelManifest.FILE));
    return m;
  }
}
