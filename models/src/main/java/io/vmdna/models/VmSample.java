package io.vmdna.models;

/**
 * One runtime metric sample of one VM: the common currency of vmdna.
 *
 * <p>Trace readers, hypervisor pollers and the simulated fleet all produce it; the DNA profiler
 * consumes it. Units are in the field names and are the Bitbrains units, which the hypervisor
 * translation modules map to: CPU in MHz and percent of the VM's provisioned CPU, memory in KiB,
 * throughputs in KiB/s.
 *
 * <p>It lives in {@code models} (pure Java, no dependencies) rather than in {@code hypervisor/api}
 * because trace readers and the DNA features need it too, and {@code models} sits below both.
 *
 * <p>Immutable and thread-safe.
 *
 * @param vmId the VM's id (for traces: the file name without extensions)
 * @param hostId the host the VM ran on when sampled; empty when unknown (a bare trace)
 * @param timestampS sample time, Unix epoch seconds
 * @param cpuCores number of virtual CPUs
 * @param cpuProvisionedMhz CPU capacity provisioned for the VM, MHz
 * @param cpuUsageMhz CPU used, MHz
 * @param cpuUsagePct CPU used, percent of {@code cpuProvisionedMhz} (may exceed 100 briefly)
 * @param memProvisionedKb memory provisioned, KiB
 * @param memUsageKb memory used, KiB
 * @param diskReadKbps disk read throughput, KiB/s
 * @param diskWriteKbps disk write throughput, KiB/s
 * @param netRxKbps network received throughput, KiB/s
 * @param netTxKbps network transmitted throughput, KiB/s
 * @param majorFaultsPerS major page faults per second in the guest (a memory access pattern proxy:
 *     pages read back from disk); NaN when the source does not give it (Bitbrains traces, a guest
 *     without balloon statistics)
 * @param swapKbps guest swap traffic, in plus out, KiB/s; NaN when not given
 */
public record VmSample(
    String vmId,
    String hostId,
    long timestampS,
    int cpuCores,
    double cpuProvisionedMhz,
    double cpuUsageMhz,
    double cpuUsagePct,
    double memProvisionedKb,
    double memUsageKb,
    double diskReadKbps,
    double diskWriteKbps,
    double netRxKbps,
    double netTxKbps,
    double majorFaultsPerS,
    double swapKbps) {

  /** A sample without the optional memory access metrics (they are absent: NaN). */
  public VmSample(
      String vmId,
      String hostId,
      long timestampS,
      int cpuCores,
      double cpuProvisionedMhz,
      double cpuUsageMhz,
      double cpuUsagePct,
      double memProvisionedKb,
      double memUsageKb,
      double diskReadKbps,
      double diskWriteKbps,
      double netRxKbps,
      double netTxKbps) {
    this(
        vmId,
        hostId,
        timestampS,
        cpuCores,
        cpuProvisionedMhz,
        cpuUsageMhz,
        cpuUsagePct,
        memProvisionedKb,
        memUsageKb,
        diskReadKbps,
        diskWriteKbps,
        netRxKbps,
        netTxKbps,
        Double.NaN,
        Double.NaN);
  }

  /** Returns the same sample as seen on another host (the simulated fleet moves load this way). */
  public VmSample onHost(String newHostId) {
    return relabelled(vmId, newHostId, timestampS);
  }

  /** The same sample attributed to another VM (several simulated VMs replaying one trace). */
  public VmSample asVm(String newVmId) {
    return relabelled(newVmId, hostId, timestampS);
  }

  /**
   * The same measurements under another VM id, host and time (a replay that puts many VMs on one
   * clock).
   */
  public VmSample relabelled(String newVmId, String newHostId, long newTimestampS) {
    return new VmSample(
        newVmId,
        newHostId,
        newTimestampS,
        cpuCores,
        cpuProvisionedMhz,
        cpuUsageMhz,
        cpuUsagePct,
        memProvisionedKb,
        memUsageKb,
        diskReadKbps,
        diskWriteKbps,
        netRxKbps,
        netTxKbps,
        majorFaultsPerS,
        swapKbps);
  }

  /**
   * The same sample with other memory access metrics (major faults per second, swap KiB/s; NaN for
   * absent).
   */
  public VmSample withMemoryAccess(double newMajorFaultsPerS, double newSwapKbps) {
    return new VmSample(
        vmId,
        hostId,
        timestampS,
        cpuCores,
        cpuProvisionedMhz,
        cpuUsageMhz,
        cpuUsagePct,
        memProvisionedKb,
        memUsageKb,
        diskReadKbps,
        diskWriteKbps,
        netRxKbps,
        netTxKbps,
        newMajorFaultsPerS,
        newSwapKbps);
  }

  /** Total network throughput (received plus transmitted), KiB/s. */
  public double netKbps() {
    return netRxKbps + netTxKbps;
  }

  /** Total disk throughput (read plus write), KiB/s. */
  public double diskKbps() {
    return diskReadKbps + diskWriteKbps;
  }
}
