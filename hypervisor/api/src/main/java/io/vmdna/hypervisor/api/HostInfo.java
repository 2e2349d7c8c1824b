package io.vmdna.hypervisor.api;

import java.util.Set;

/**
 * A host as the compatibility layer describes it, in common units.
 *
 * @param hostId the host's id, unique within its hypervisor
 * @param cpuCapacityMhz total CPU capacity, MHz (cores × per-core MHz × speed factor)
 * @param memCapacityKb total memory for VMs, KiB
 * @param cpuUsedMhz CPU used by the host's VMs now, MHz
 * @param memUsedKb memory used by the host's VMs now, KiB
 * @param imageFormats disk formats the host runs VMs from; the first one is preferred
 * @param online whether the host answers and accepts VMs
 * @param storageFreeBytes free space where the host keeps VM disk images, bytes
 * @param cpuTrendMhzPerHour how fast the host's CPU use has been changing lately (least-squares
 *     slope over the last hour), MHz per hour; 0 when unknown
 */
public record HostInfo(
    String hostId,
    double cpuCapacityMhz,
    double memCapacityKb,
    double cpuUsedMhz,
    double memUsedKb,
    Set<ImageFormat> imageFormats,
    boolean online,
    long storageFreeBytes,
    double cpuTrendMhzPerHour) {

  /** A host whose load trend is unknown (0). */
  public HostInfo(
      String hostId,
      double cpuCapacityMhz,
      double memCapacityKb,
      double cpuUsedMhz,
      double memUsedKb,
      Set<ImageFormat> imageFormats,
      boolean online,
      long storageFreeBytes) {
    this(
        hostId,
        cpuCapacityMhz,
        memCapacityKb,
        cpuUsedMhz,
        memUsedKb,
        imageFormats,
        online,
        storageFreeBytes,
        0);
  }

  /** Copies the formats; the iteration order of the given set is kept. */
  public HostInfo {
    imageFormats =
        java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(imageFormats));
  }

  /** The format new images for this host should be converted to. */
  public ImageFormat preferredFormat() {
    return imageFormats.iterator().next();
  }
}
