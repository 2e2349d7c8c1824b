package io.vmdna.placement;

import java.util.Map;
import java.util.Set;

/**
 * Every placement setting in one place; {@link HostSelector#from} registers the units.
 *
 * @param maxUtilization CPU fraction a target may reach with the VM, (0, 1]
 * @param maxPerTarget migrations in flight to one host at most
 * @param antiAffinity anti-affinity groups: name → VMs that must not share a host
 * @param affinity affinity groups: name → VMs that should share a host
 * @param topology host → {@code "<zone>/<rack>"}
 * @param freeCpuWeight weight of {@link FreeCpuWeigher}
 * @param affinityWeight weight of {@link AffinityWeigher}
 * @param proximityWeight weight of {@link ProximityWeigher}
 * @param loadTrendWeight weight of {@link LoadTrendWeigher}
 */
public record PlacementConfig(
    double maxUtilization,
    int maxPerTarget,
    Map<String, Set<String>> antiAffinity,
    Map<String, Set<String>> affinity,
    Map<String, String> topology,
    double freeCpuWeight,
    double affinityWeight,
    double proximityWeight,
    double loadTrendWeight) {

  /** Copies and validates. */
  public PlacementConfig {
    antiAffinity = Map.copyOf(antiAffinity);
    affinity = Map.copyOf(affinity);
    topology = Map.copyOf(topology);
    if (freeCpuWeight < 0 || affinityWeight < 0 || proximityWeight < 0 || loadTrendWeight < 0) {
      throw new IllegalArgumentException("placement weights must be >= 0");
    }
  }

  /** Defaults: 80 % CPU at most, 2 in flight per target, no groups, no topology. */
  public static PlacementConfig defaults() {
    return new PlacementConfig(0.8, 2, Map.of(), Map.of(), Map.of(), 1.0, 0.5, 0.25, 0.25);
  }
}
