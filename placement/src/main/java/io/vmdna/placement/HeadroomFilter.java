package io.vmdna.placement;

import java.util.Optional;

/**
 * Rejects hosts without headroom for the VM's predicted need: CPU below {@code maxUtilization} of
 * capacity after current load, other reservations and the VM; memory within capacity.
 *
 * @param maxUtilization the CPU fraction a host may reach with the VM, (0, 1]
 */
public record HeadroomFilter(double maxUtilization) implements HostFilter {
  /** Validates the bound. */
  public HeadroomFilter {
    if (!(maxUtilization > 0 && maxUtilization <= 1)) {
      throw new IllegalArgumentException("maxUtilization must be in (0, 1], was " + maxUtilization);
    }
  }

  @Override
  public Optional<String> reject(HostState h, PlacementRequest r) {
    double cpu = h.freeCpuMhz(maxUtilization);
    if (cpu < r.cpuNeedMhz()) {
      return Optional.of(
          "CPU headroom %.0f MHz < need %.0f MHz (load %.0f + booked %.0f of %.0f × %.2f)"
              .formatted(
                  cpu,
                  r.cpuNeedMhz(),
                  h.host().cpuUsedMhz(),
                  h.bookedCpuMhz(),
                  h.host().cpuCapacityMhz(),
                  maxUtilization));
    }
    if (h.freeMemKb() < r.memNeedKb()) {
      return Optional.of(
          "memory headroom %.0f KiB < need %.0f KiB".formatted(h.freeMemKb(), r.memNeedKb()));
    }
    return Optional.empty();
  }
}
