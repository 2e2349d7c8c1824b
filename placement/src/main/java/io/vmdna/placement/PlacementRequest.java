package io.vmdna.placement;

/**
 * What a VM needs from a target host.
 *
 * @param migrationId the migration asking
 * @param vmId the VM to place
 * @param sourceHostId the host it leaves (never a target)
 * @param cpuNeedMhz predicted CPU need (the forecast's p90), MHz
 * @param memNeedKb predicted memory need, KiB
 */
public record PlacementRequest(
    String migrationId, String vmId, String sourceHostId, double cpuNeedMhz, double memNeedKb) {
  /** Validates the needs. */
  public PlacementRequest {
    if (!(cpuNeedMhz >= 0) || !(memNeedKb >= 0)) {
      throw new IllegalArgumentException(
          "placement of %s: needs must be >= 0, were cpu %s MHz, memory %s KiB"
              .formatted(vmId, cpuNeedMhz, memNeedKb));
    }
  }
}
