package io.vmdna.hypervisor.api;

/**
 * What a completed migration did.
 *
 * @param migrationId the request's id
 * @param vmId the VM
 * @param fromHostId where it ran before
 * @param toHostId where it runs now
 * @param durationMs total migration time, milliseconds
 * @param downtimeMs time the guest did not run, milliseconds
 * @param bytesTransferred state and disk bytes sent
 * @param alreadyDone true when this id had already completed and nothing was moved again
 */
public record MigrationResult(
    String migrationId,
    String vmId,
    String fromHostId,
    String toHostId,
    long durationMs,
    long downtimeMs,
    long bytesTransferred,
    boolean alreadyDone) {}
