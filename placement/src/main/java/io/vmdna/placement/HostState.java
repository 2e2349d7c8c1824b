package io.vmdna.placement;

import io.vmdna.hypervisor.api.HostInfo;
import java.util.Set;

/**
 * A host as placement sees it: the hypervisor's view plus what in-flight migrations booked.
 *
 * @param host the hypervisor's view (capacity, load)
 * @param bookedCpuMhz CPU booked by other migrations' reservations, MHz
 * @param bookedMemKb memory booked, KiB
 * @param bookings migrations in flight to this host (other than the one asking)
 * @param vmIds the VMs running on it now
 */
public record HostState(
    HostInfo host, double bookedCpuMhz, double bookedMemKb, int bookings, Set<String> vmIds) {

  /** Copies the set. */
  public HostState {
    vmIds = Set.copyOf(vmIds);
  }

  /** CPU left below {@code maxUtilization} of capacity after load and bookings, MHz. */
  public double freeCpuMhz(double maxUtilization) {
    return host.cpuCapacityMhz() * maxUtilization - host.cpuUsedMhz() - bookedCpuMhz;
  }

  /** Memory left after load and bookings, KiB. */
  public double freeMemKb() {
    return host.memCapacityKb() - host.memUsedKb() - bookedMemKb;
  }
}
