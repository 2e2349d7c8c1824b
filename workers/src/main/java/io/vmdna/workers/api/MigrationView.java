package io.vmdna.workers.api;

import io.vmdna.store.MigrationRecord;
import io.vmdna.store.MigrationRepository;
import java.util.List;

/**
 * A migration as the API shows it: the store's record and its step history.
 *
 * @param migrationId id (the request id for API migrations, {@code <vm>@<windowEnd>} for signals)
 * @param vmId the VM
 * @param sourceHostId where it ran when the migration started
 * @param targetHostId the chosen target, null until chosen
 * @param signalType {@code FORECAST}, {@code ANOMALY} or {@code API}
 * @param reason why it was started
 * @param status REQUESTED, STARTED, MIGRATED, ROLLING_BACK, ROLLED_BACK, NO_SUITABLE_HOST,
 *     CANCELLED or DRY_RUN
 * @param steps the step history, oldest first
 */
public record MigrationView(
    String migrationId,
    String vmId,
    String sourceHostId,
    String targetHostId,
    String signalType,
    String reason,
    String status,
    List<MigrationRepository.Step> steps) {

  static MigrationView of(MigrationRecord r, List<MigrationRepository.Step> steps) {
    return new MigrationView(
        r.migrationId(),
        r.vmId(),
        r.sourceHostId(),
        r.targetHostId(),
        r.signalType(),
        r.reason(),
        r.status().name(),
        steps);
  }
}
