package io.vmdna.hypervisor.sim;

/**
 * One move the simulated fleet carried out, for reports.
 *
 * @param migrationId the request's id
 * @param vmId the VM
 * @param fromHostId where it ran
 * @param toHostId where it runs after the move
 * @param simTimeS simulated time of the move, epoch seconds
 * @param back true for a compensation (migrate-back)
 */
public record SimMigration(
    String migrationId,
    String vmId,
    String fromHostId,
    String toHostId,
    long simTimeS,
    boolean back) {}
