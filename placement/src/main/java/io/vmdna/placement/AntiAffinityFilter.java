package io.vmdna.placement;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rejects hosts running a VM that must not share a host with the VM being placed (anti-affinity
 * groups, e.g. the replicas of a database).
 *
 * @param groups group name → its VMs
 */
public record AntiAffinityFilter(Map<String, Set<String>> groups) implements HostFilter {
  /** Copies the groups. */
  public AntiAffinityFilter {
    groups = Map.copyOf(groups);
  }

  /** Only for a VM in one of the groups. */
  @Override
  public boolean readsVmIds(PlacementRequest r) {
    return groups.values().stream().anyMatch(g -> g.contains(r.vmId()));
  }

  @Override
  public Optional<String> reject(HostState h, PlacementRequest r) {
    for (Map.Entry<String, Set<String>> g : groups.entrySet()) {
      if (!g.getValue().contains(r.vmId())) {
        continue;
      }
      List<String> clash =
          h.vmIds().stream()
              .filter(v -> !v.equals(r.vmId()) && g.getValue().contains(v))
              .sorted()
              .toList();
      if (!clash.isEmpty()) {
        return Optional.of(
            "anti-affinity group '%s': %s already runs there".formatted(g.getKey(), clash));
      }
    }
    return Optional.empty();
  }
}
