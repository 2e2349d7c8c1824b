package io.vmdna.placement;

/**
 * Prefers hosts whose load is not rising: 1 for a flat or falling host, falling to 0 for a host
 * whose CPU use grows by {@code risingShare} of its capacity or more per hour.
 *
 * @param risingShare the growth per hour, as a share of capacity, that scores 0; > 0
 */
public record LoadTrendWeigher(double risingShare) implements HostWeigher {
  /** Validates. */
  public LoadTrendWeigher {
    if (!(risingShare > 0)) {
      throw new IllegalArgumentException("risingShare must be > 0, was " + risingShare);
    }
  }

  @Override
  public double weigh(HostState h, PlacementRequest r) {
    double rising = h.host().cpuTrendMhzPerHour() / (risingShare * h.host().cpuCapacityMhz());
    return 1 - Math.max(0, Math.min(1, rising));
  }
}
