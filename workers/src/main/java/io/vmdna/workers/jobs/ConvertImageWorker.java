package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.Errors;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.bpmn.ProcessContract.Vars;
import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.HypervisorUnavailableException;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.store.MigrationRepository;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.convert-image}: pre-converts the VM's disk to the target host's format with {@code
 * qemu-img}, while the VM keeps running, and writes the image's DNA sidecar ({@link DnaSidecar},
 * state {@code CONVERTED}). {@code CONVERSION_FAILED} when the conversion fails; a sidecar that
 * cannot be written is a technical failure (retried; the image is found again). Idempotent by
 * migration id. Revert: {@link DeleteConvertedImageWorker}.
 */
@Component
public class ConvertImageWorker {
  static final String STEP = "convert-image";
  private final Hypervisor hypervisor;
  private final MigrationRepository migrations;
  private final DnaSidecar sidecars;

  public ConvertImageWorker(
      Hypervisor hypervisor, MigrationRepository migrations, DnaSidecar sidecars) {
    this.hypervisor = hypervisor;
    this.migrations = migrations;
    this.sidecars = sidecars;
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.CONVERT_IMAGE)
  public Map<String, Object> convertImage(
      @Variable String migrationId,
      @Variable String vmId,
      @Variable String targetHostId,
      @Variable(optional = true) Map<String, Object> dna) {
    HostInfo target =
        Steps.targetHost(
            hypervisor, migrations, migrationId, STEP, Errors.CONVERSION_FAILED, targetHostId);
    try {
      ImageRef image = hypervisor.convertImage(migrationId, vmId, target.preferredFormat());
      sidecars.write(image, vmId, targetHostId, migrationId, DnaSidecar.State.CONVERTED, dna);
      Steps.ok(migrations, migrationId, STEP, "converted to " + image.path());
      return Map.of(Vars.CONVERTED_IMAGE, image);
    } catch (HypervisorUnavailableException e) {
      throw e; // technical: retried with backoff, then an incident (TechnicalFailureStrategy)
    } catch (HypervisorException e) {
      throw Steps.fail(migrations, migrationId, STEP, Errors.CONVERSION_FAILED, e.getMessage());
    }
  }
}
