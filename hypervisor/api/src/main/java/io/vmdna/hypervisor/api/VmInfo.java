package io.vmdna.hypervisor.api;

/**
 * A VM and where it runs.
 *
 * @param vmId the VM's id
 * @param hostId the host it runs on now
 * @param cpuCores virtual CPUs
 * @param cpuProvisionedMhz CPU provisioned, MHz
 * @param memProvisionedKb memory provisioned, KiB
 * @param image its current disk image
 * @param diskBytes the disk's virtual size, bytes (what a converted copy may need)
 */
public record VmInfo(
    String vmId,
    String hostId,
    int cpuCores,
    double cpuProvisionedMhz,
    double memProvisionedKb,
    ImageRef image,
    long diskBytes) {}
