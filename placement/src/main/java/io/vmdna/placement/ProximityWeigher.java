package io.vmdna.placement;

import java.util.Map;

/**
 * Prefers targets near the source in the network: 1 in the same rack, 0.5 in the same zone, 0
 * elsewhere or when the topology does not name a host.
 *
 * @param topology host id → {@code "<zone>/<rack>"}
 */
public record ProximityWeigher(Map<String, String> topology) implements HostWeigher {
  /** Copies and validates the topology. */
  public ProximityWeigher {
    topology = Map.copyOf(topology);
    topology.forEach(
        (host, place) -> {
          if (place.split("/").length != 2) {
            throw new IllegalArgumentException(
                "topology of host %s must be <zone>/<rack>, was '%s'".formatted(host, place));
          }
        });
  }

  @Override
  public double weigh(HostState h, PlacementRequest r) {
    String source = topology.get(r.sourceHostId());
    String target = topology.get(h.host().hostId());
    if (source == null || target == null) {
      return 0;
    }
    if (source.equals(target)) {
      return 1;
    }
    return source.split("/")[0].equals(target.split("/")[0]) ? 0.5 : 0;
  }
}
