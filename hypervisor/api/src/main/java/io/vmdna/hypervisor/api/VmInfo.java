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
 */
public record VmInfo(
    String vmId,
    String hostId,
    int cpuCores,
    double cpuProvisionedMhz,
    double memProvisionedKb,
    ImageRef image) {}
