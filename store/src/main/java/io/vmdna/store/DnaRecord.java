package io.vmdna.store;

import java.io.Serializable;
import java.util.List;

/**
 * One DNA in a VM's history.
 *
 * @param vmId the VM
 * @param hostId the host it ran on when the DNA was computed
 * @param computedAtS the sample time the DNA describes, epoch seconds (with {@code vmId}, the key)
 * @param schemaVersion the DNA schema the embedding comes from
 * @param embedding the learned embedding (schema 2: 16 numbers, each in [-1, 1]), non-empty, finite
 * @param errorScore the autoencoder's reconstruction error as a share of the training fleet's
 *     errors below it, [0, 1]
 */
public record DnaRecord(
    String vmId,
    String hostId,
    long computedAtS,
    int schemaVersion,
    List<Double> embedding,
    double errorScore)
    implements Serializable {

  /** Validates, naming the bad field; copies the embedding. */
  public DnaRecord {
    if (vmId == null || vmId.isBlank() || hostId == null || hostId.isBlank()) {
      throw new IllegalArgumentException(
          "a DNA record needs a VM and a host, were '%s', '%s'".formatted(vmId, hostId));
    }
    if (embedding == null || embedding.isEmpty()) {
      throw new IllegalArgumentException("DNA record of " + vmId + ": empty embedding");
    }
    embedding = List.copyOf(embedding);
    for (double v : embedding) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(
            "DNA record of %s at %d: embedding value %s is not finite"
                .formatted(vmId, computedAtS, v));
      }
    }
    if (!(errorScore >= 0 && errorScore <= 1)) {
      throw new IllegalArgumentException(
          "DNA record of %s at %d: error score %s is not in [0, 1]"
              .formatted(vmId, computedAtS, errorScore));
    }
  }
}
