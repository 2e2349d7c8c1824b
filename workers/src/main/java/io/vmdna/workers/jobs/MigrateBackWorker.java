package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.MigrationResult;
import io.vmdna.store.MigrationRepository;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.migrate-back} (compensation of migrate): returns the VM to its source host and
 * original image. Idempotent: a VM already on its source is left alone. A failure fails the job
 * (retries, then an incident for an operator), never silently.
 */
@Component
public class MigrateBackWorker {
  static final String STEP = "migrate-back";
  private final Hypervisor hypervisor;
  private final MigrationRepository migrations;

  public MigrateBackWorker(Hypervisor hypervisor, MigrationRepository migrations) {
    this.hypervisor = hypervisor;
    this.migrations = migrations;
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.MIGRATE_BACK)
  public void migrateBack(
      @Variable String migrationId,
      @Variable String vmId,
      @Variable String sourceHostId,
      @Variable ImageRef sourceImage) {
    MigrationResult r = hypervisor.migrateBack(migrationId, vmId, sourceHostId, sourceImage);
    Steps.ok(
        migrations,
        migrationId,
        STEP,
        r.alreadyDone() ? "already on " + sourceHostId : r.fromHostId() + " -> " + r.toHostId());
  }
}
