package io.vmdna.placement;

import java.util.Optional;

/** Rejects hosts the VM left recently ({@link PlacementRequest#avoidHosts()}): no ping-pong. */
public final class PingPongFilter implements HostFilter {
  @Override
  public Optional<String> reject(HostState h, PlacementRequest r) {
    return r.avoidHosts().contains(h.host().hostId())
        ? Optional.of("the VM left it recently (ping-pong guard)")
        : Optional.empty();
  }
}
