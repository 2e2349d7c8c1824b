package io.vmdna.store;

/**
 * A migration as the store records it.
 *
 * @param migrationId idempotency key
 * @param processInstanceKey the Zeebe process instance that owns it
 * @param vmId the VM
 * @param sourceHostId where it ran when the migration started
 * @param targetHostId the chosen target, null until chosen
 * @param signalType {@code FORECAST}, {@code ANOMALY} or {@code API}
 * @param reason why it was started
 * @param status {@link MigrationStatus}
 */
public record MigrationRecord(
    String migrationId,
    long processInstanceKey,
    String vmId,
    String sourceHostId,
    String targetHostId,
    String signalType,
    String reason,
    MigrationStatus status) {}
