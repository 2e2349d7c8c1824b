package io.vmdna.placement;

import java.util.Set;

/**
 * What a VM needs from a target host.
 *
 * @param migrationId the migration asking
 * @param vmId the VM to place
 * @param sourceHostId the host it leaves (never a target)
 * @param cpuNeedMhz predicted CPU need (the forecast's p90, not current use), MHz
 * @param memNeedKb predicted memory need, KiB
 * @param diskBytes storage the converted image needs on the target, bytes
 * @param avoidHosts hosts the VM must not go to now (it left them recently: ping-pong guard)
 */
public record PlacementRequest(
    String migrationId,
    String vmId,
    String sourceHostId,
    double cpuNeedMhz,
    double memNeedKb,
    long diskBytes,
    Set<String> avoidHosts) {

  /** A request with no disk need and no host to avoid. */
  public PlacementRequest(
      String migrationId, String vmId, String sourceHostId, double cpuNeedMhz, double memNeedKb) {
    this(migrationId, vmId, sourceHostId, cpuNeedMhz, memNeedKb, 0, Set.of());
  }

  /** Validates the needs and copies the set. */
  public PlacementRequest {
    avoidHosts = Set.copyOf(avoidHosts);
    if (!(cpuNeedMhz >= 0) || !(memNeedKb >= 0) || diskBytes < 0) {
      throw new IllegalArgumentException(
          "placement of %s: needs must be >= 0, were cpu %s MHz, memory %s KiB, disk %d bytes"
              .formatted(vmId, cpuNeedMhz, memNeedKb, diskBytes));
    }
  }
}
