package io.vmdna.cli;

import io.vmdna.models.dna.DnaModel;
import io.vmdna.models.dna.DnaSchema;
import io.vmdna.models.dna.DnaTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code ./vmdna dna-train}: learns the DNA's fleet scaling and autoencoder embedding from training
 * traces, measures them on validation traces, and writes {@code dna-model.json}. Prints a progress
 * bar and the validation figures (see {@link DnaTrainer}).
 *
 * @param train folders of training traces
 * @param validate folders of validation traces
 * @param output the folder to write the model into
 * @param config stride and network settings
 */
public record DnaTrainCommand(
    List<Path> train, List<Path> validate, Path output, DnaTrainer.Config config) {

  /** Trains; returns the model written. */
  public DnaModel run(PrintStream out) throws IOException {
    var ae = config.autoencoder();
    out.printf(
        "dna-train: schema %d (%d features) on %s, a vector every %d samples; autoencoder %d → %d"
            + " → %d, %d epochs; validated on %s%n",
        DnaSchema.VERSION,
        DnaSchema.size(),
        train,
        config.strideSamples(),
        ae.hidden(),
        ae.embedding(),
        ae.hidden(),
        ae.epochs(),
        validate);
    long t0 = System.nanoTime();
    DnaModel m = new DnaTrainer(config).train(train, validate, output, new ProgressBar(out));
    out.printf(
        "  trained in %.0f s on %d vectors of %d files%n",
        (System.nanoTime() - t0) / 1e9, m.training().vectors(), m.training().files());
    for (Map.Entry<String, Double> f : m.training().figures().entrySet()) {
      out.printf("  %-26s %10.4f%n", f.getKey(), f.getValue());
    }
    out.println("  wrote " + output.resolve(DnaModel.FILE));
    return m;
  }
}
