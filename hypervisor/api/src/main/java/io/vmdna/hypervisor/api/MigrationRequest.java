package io.vmdna.hypervisor.api;

import java.util.Map;

/**
 * A request to move a VM.
 *
 * @param migrationId the idempotency key: asking twice with the same id moves the VM once
 * @param vmId the VM to move
 * @param sourceHostId where it is expected to run now
 * @param targetHostId where it should run
 * @param strategy live or warm
 * @param targetImage the image the VM runs from on the target (pre-converted), or null to keep
 * @param stateTransferOptions hypervisor-specific transfer options (bandwidth, auto-converge…)
 */
public record MigrationRequest(
    String migrationId,
    String vmId,
    String sourceHostId,
    String targetHostId,
    MigrationStrategy strategy,
    ImageRef targetImage,
    Map<String, String> stateTransferOptions) {

  /** Copies the options. */
  public MigrationRequest {
    stateTransferOptions = Map.copyOf(stateTransferOptions);
  }
}
