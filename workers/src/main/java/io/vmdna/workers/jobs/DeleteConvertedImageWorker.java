package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.store.MigrationRepository;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.delete-converted-image} (compensation of convert-image): deletes the converted
 * image, then its DNA sidecar ({@link DnaSidecar}). Idempotent. Fails (and is retried) while a VM
 * still runs from it, which is why the process migrates back first.
 */
@Component
public class DeleteConvertedImageWorker {
  static final String STEP = "delete-converted-image";
  private final Hypervisor hypervisor;
  private final MigrationRepository migrations;
  private final DnaSidecar sidecars;

  public DeleteConvertedImageWorker(
      Hypervisor hypervisor, MigrationRepository migrations, DnaSidecar sidecars) {
    this.hypervisor = hypervisor;
    this.migrations = migrations;
    this.sidecars = sidecars;
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.DELETE_CONVERTED_IMAGE)
  public void deleteConvertedImage(
      @Variable String migrationId, @Variable ImageRef convertedImage) {
    boolean deleted = hypervisor.deleteImage(convertedImage);
    boolean sidecar = sidecars.delete(convertedImage);
    Steps.ok(
        migrations,
        migrationId,
        STEP,
        (deleted ? "deleted " : "already gone: ")
            + convertedImage.path()
            + (sidecar ? " and its DNA sidecar" : ""));
  }
}
