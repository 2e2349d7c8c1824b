package io.vmdna.placement;

/** Prefers the host with the largest share of CPU still free after the VM arrives. */
public final class FreeCpuWeigher implements HostWeigher {
  @Override
  public double weigh(HostState h, PlacementRequest r) {
    double free = h.freeCpuMhz(1.0) - r.cpuNeedMhz();
    return Math.max(0, Math.min(1, free / h.host().cpuCapacityMhz()));
  }
}
