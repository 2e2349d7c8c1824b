package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import io.vmdna.store.ReservationRepository;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.record-dna}: rewrites the VM's DNA sidecar beside the image it now runs from ({@link
 * DnaSidecar}, state {@code MIGRATED}), marks the migration {@code MIGRATED} and releases the
 * booking (the VM's load now counts on the target itself). Idempotent: rewriting gives the same
 * file.
 */
@Component
public class RecordDnaWorker {
  static final String STEP = "record-dna";
  private final MigrationRepository migrations;
  private final ReservationRepository reservations;
  private final DnaSidecar sidecars;

  public RecordDnaWorker(
      MigrationRepository migrations, ReservationRepository reservations, DnaSidecar sidecars) {
    this.migrations = migrations;
    this.reservations = reservations;
    this.sidecars = sidecars;
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.RECORD_DNA)
  public void recordDna(
      @Variable String migrationId,
      @Variable String vmId,
      @Variable String targetHostId,
      @Variable ImageRef convertedImage,
      @Variable(optional = true) Map<String, Object> dna) {
    Path sidecar =
        sidecars.write(
            convertedImage, vmId, targetHostId, migrationId, DnaSidecar.State.MIGRATED, dna);
    reservations.release(migrationId);
    migrations.setStatus(migrationId, MigrationStatus.MIGRATED);
    Steps.ok(migrations, migrationId, STEP, "wrote " + sidecar);
  }
}
