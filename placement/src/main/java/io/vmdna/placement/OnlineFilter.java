package io.vmdna.placement;

import java.util.Optional;

/** Rejects hosts that are offline and the VM's own source host. */
public final class OnlineFilter implements HostFilter {
  @Override
  public Optional<String> reject(HostState h, PlacementRequest r) {
    if (h.host().hostId().equals(r.sourceHostId())) {
      return Optional.of("is the source host");
    }
    return h.host().online() ? Optional.empty() : Optional.of("is offline");
  }
}
