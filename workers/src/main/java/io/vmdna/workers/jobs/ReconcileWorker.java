package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.bpmn.ProcessContract.Vars;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.reconcile}: before anything is reverted, observes where the VM runs now and which
 * images exist, records it, and marks the migration {@code ROLLING_BACK}. Read-only on the
 * hypervisor; idempotent.
 */
@Component
public class ReconcileWorker {
  static final String STEP = "reconcile";
  private final Hypervisor hypervisor;
  private final MigrationRepository migrations;

  public ReconcileWorker(Hypervisor hypervisor, MigrationRepository migrations) {
    this.hypervisor = hypervisor;
    this.migrations = migrations;
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.RECONCILE)
  public Map<String, Object> reconcile(
      @Variable String migrationId,
      @Variable String vmId,
      @Variable(optional = true) ImageRef convertedImage) {
    Map<String, Object> seen = new LinkedHashMap<>();
    seen.put("vmHostId", hypervisor.locate(vmId).orElse(null));
    seen.put(
        "convertedImageExists", convertedImage != null && hypervisor.imageExists(convertedImage));
    migrations.setStatus(migrationId, MigrationStatus.ROLLING_BACK);
    Steps.ok(migrations, migrationId, STEP, seen.toString());
    return Map.of(Vars.RECONCILED, seen);
  }
}
