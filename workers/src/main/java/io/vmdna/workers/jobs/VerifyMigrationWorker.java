package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.Errors;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.bpmn.ProcessContract.Vars;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.store.MigrationRepository;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.verify-migration}: the VM runs on the target, nowhere else, and its guest is alive.
 * {@code VERIFICATION_FAILED} otherwise, which rolls the migration back. Read-only.
 */
@Component
public class VerifyMigrationWorker {
  static final String STEP = "verify-migration";
  private final Hypervisor hypervisor;
  private final MigrationRepository migrations;

  public VerifyMigrationWorker(Hypervisor hypervisor, MigrationRepository migrations) {
    this.hypervisor = hypervisor;
    this.migrations = migrations;
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.VERIFY_MIGRATION)
  public Map<String, Object> verify(
      @Variable String migrationId, @Variable String vmId, @Variable String targetHostId) {
    String where = hypervisor.locate(vmId).orElse("nowhere");
    if (!where.equals(targetHostId) || !hypervisor.isHealthy(vmId, targetHostId)) {
      throw Steps.fail(
          migrations,
          migrationId,
          STEP,
          Errors.VERIFICATION_FAILED,
          "VM %s runs on %s, expected healthy on %s".formatted(vmId, where, targetHostId)
              + (where.equals(targetHostId) ? " (guest not healthy)" : ""));
    }
    Steps.ok(migrations, migrationId, STEP, "healthy on " + targetHostId);
    return Map.of(Vars.VERIFIED, true);
  }
}
