package io.vmdna.flink;

import io.vmdna.models.dna.Dna;
import io.vmdna.models.dna.DnaModel;
import java.io.Serializable;
import java.util.List;

/**
 * The DNA a VM carries into signals (the contract's {@code dna {schemaVersion, embedding}}).
 *
 * <p>With a {@link DnaModel} (the default, the shipped one) it is the schema-2 DNA's learned
 * embedding, refreshed when a VM's samples cross into a new 3-hour period; without one (the
 * profiler's {@code dnaModel = none}) it is the short schema-1 DNA of the last hour, recomputed on
 * every sample, and the "embedding" is its raw features.
 *
 * @param schemaVersion the DNA schema the embedding comes from
 * @param computedAtS the sample time it was computed at, epoch seconds
 * @param embedding the embedding (schema 2: 16 numbers) or the raw features (schema 1)
 * @param errorScore the autoencoder's reconstruction error as a share of the training fleet's
 *     errors below it, [0, 1]; 0 for schema 1
 * @param oneClassScore the one-class SVM's score of the embedding (the share of the training
 *     fleet's embeddings less far outside its support), [0, 1]; NaN for schema 1 or a model without
 *     the SVM (not carried into signals)
 */
public record VmDna(
    int schemaVersion,
    long computedAtS,
    List<Double> embedding,
    double errorScore,
    double oneClassScore)
    implements Serializable {

  /** Copies the embedding into an immutable list of primitives (kept as is when it is one). */
  public VmDna {
    embedding = DoubleList.copyOf(embedding);
  }

  /** The embedding's value at {@code index}, without boxing it. */
  double embeddingAt(int index) {
    return ((DoubleList) embedding).getDouble(index);
  }

  /** A schema-1 DNA as it is carried (its features as the embedding, no error score). */
  public static VmDna raw(Dna dna) {
    return new VmDna(dna.schemaVersion(), dna.windowEndS(), dna.features(), 0, Double.NaN);
  }

  /** A DNA encoded by a model. */
  public static VmDna encoded(DnaModel model, Dna dna) {
    DnaModel.Encoded e = model.encode(dna);
    return new VmDna(
        dna.schemaVersion(),
        dna.windowEndS(),
        DoubleList.owning(e.embedding().clone()),
        e.errorScore(),
        e.oneClassScore());
  }
}
