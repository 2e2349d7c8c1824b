package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.bpmn.ProcessContract.Vars;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.reconcile}: runs before anything is reverted, because a failed or timed-out step may
 * have done its work anyway. Observes where the VM runs now and which images exist, and returns
 * {@code reconciled}:
 *
 * <ul>
 *   <li>{@code vmHostId}: where the VM runs now (null when nowhere);
 *   <li>{@code moveUnfinished}: the VM runs on the target although migrate never completed (so its
 *       compensation will not run and the process must move it back explicitly);
 *   <li>{@code orphanImage}: a converted image that no completed step owns (the conversion timed
 *       out after writing it), to delete explicitly.
 * </ul>
 *
 * Read-only on the hypervisor; idempotent. Marks the migration {@code ROLLING_BACK} when the store
 * has a record of it (a cancel can arrive before scan-hosts made one).
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
      @Variable(optional = true) String targetHostId,
      @Variable(optional = true) ImageRef convertedImage,
      @Variable(optional = true) Map<String, Object> migrationResult,
      @Variable(optional = true) String cause,
      @Variable(optional = true) Map<String, Object> failure) {
    String where = hypervisor.locate(vmId).orElse(null);
    boolean moveUnfinished =
        targetHostId != null && targetHostId.equals(where) && migrationResult == null;
    ImageRef orphan =
        convertedImage == null ? hypervisor.convertedImage(migrationId).orElse(null) : null;
    Map<String, Object> seen = new HashMap<>();
    seen.put("vmHostId", where);
    seen.put("moveUnfinished", moveUnfinished);
    seen.put("orphanImage", orphan);
    seen.put(
        "convertedImageExists", convertedImage != null && hypervisor.imageExists(convertedImage));
    String why =
        cause != null ? cause : failure != null ? String.valueOf(failure.get("code")) : "TIMEOUT";
    seen.put("cause", why);
    if (migrations.find(migrationId).isPresent()) {
      migrations.setStatus(migrationId, MigrationStatus.ROLLING_BACK);
      Steps.ok(migrations, migrationId, STEP, why + ": " + seen);
    }
    return Map.of(Vars.RECONCILED, seen);
  }
}
