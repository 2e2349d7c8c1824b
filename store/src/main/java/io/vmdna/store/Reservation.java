package io.vmdna.store;

/**
 * Capacity booked on a host for one migration.
 *
 * @param migrationId the migration (primary key: one reservation per migration)
 * @param hostId the target host
 * @param vmId the VM that will arrive
 * @param cpuMhz CPU booked, MHz
 * @param memKb memory booked, KiB
 */
public record Reservation(
    String migrationId, String hostId, String vmId, double cpuMhz, double memKb) {}
