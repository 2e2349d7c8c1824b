package io.vmdna.models.dna;

/**
 * One network flow of a VM as a collector saw it: the record format the DNA's traffic features
 * read, whatever wrote it ({@link ConntrackFlows} on libvirt hosts, or any flow collector).
 *
 * @param vmId the VM the flow belongs to
 * @param timestampS when the flow was seen, epoch seconds
 * @param protocol the transport protocol in lower case, e.g. {@code tcp}, {@code udp}, {@code icmp}
 * @param destination the remote end as the collector names it (an address; a port may follow)
 * @param bytes bytes in both directions, >= 0
 */
public record FlowRecord(
    String vmId, long timestampS, String protocol, String destination, long bytes) {

  /** Validates, naming the bad field. */
  public FlowRecord {
    if (vmId == null || vmId.isBlank()) {
      throw new IllegalArgumentException("flow record needs a VM id");
    }
    if (protocol == null || protocol.isBlank()) {
      throw new IllegalArgumentException("flow record of VM " + vmId + " needs a protocol");
    }
    if (destination == null || destination.isBlank()) {
      throw new IllegalArgumentException("flow record of VM " + vmId + " needs a destination");
    }
    if (bytes < 0) {
      throw new IllegalArgumentException(
          "flow record of VM %s has negative bytes %d".formatted(vmId, bytes));
    }
    protocol = protocol.toLowerCase(java.util.Locale.ROOT);
  }
}
