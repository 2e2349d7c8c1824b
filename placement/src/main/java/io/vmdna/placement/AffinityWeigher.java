package io.vmdna.placement;

import java.util.Map;
import java.util.Set;

/**
 * Prefers hosts running the VM's affinity-group mates (VMs that talk a lot): the share of its mates
 * already there; 0 for a VM in no group.
 *
 * @param groups group name → its VMs
 */
public record AffinityWeigher(Map<String, Set<String>> groups) implements HostWeigher {
  /** Copies the groups. */
  public AffinityWeigher {
    groups = Map.copyOf(groups);
  }

  /** Only for a VM in one of the groups. */
  @Override
  public boolean readsVmIds(PlacementRequest r) {
    return groups.values().stream().anyMatch(g -> g.contains(r.vmId()));
  }

  @Override
  public double weigh(HostState h, PlacementRequest r) {
    long mates = 0;
    long there = 0;
    for (Set<String> g : groups.values()) {
      if (g.contains(r.vmId())) {
        for (String v : g) {
          if (!v.equals(r.vmId())) {
            mates++;
            there += h.vmIds().contains(v) ? 1 : 0;
          }
        }
      }
    }
    return mates == 0 ? 0 : (double) there / mates;
  }
}
