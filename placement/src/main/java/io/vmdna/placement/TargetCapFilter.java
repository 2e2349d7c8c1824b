package io.vmdna.placement;

import java.util.Optional;

/**
 * Rejects hosts that already receive {@code maxPerTarget} migrations (counted by their
 * reservations). The reservation re-checks the cap under its lock.
 *
 * @param maxPerTarget migrations in flight to one host at most, >= 1
 */
public record TargetCapFilter(int maxPerTarget) implements HostFilter {
  /** Validates the cap. */
  public TargetCapFilter {
    if (maxPerTarget < 1) {
      throw new IllegalArgumentException("maxPerTarget must be >= 1, was " + maxPerTarget);
    }
  }

  @Override
  public Optional<String> reject(HostState h, PlacementRequest r) {
    return h.bookings() >= maxPerTarget
        ? Optional.of(
            "%d migrations already in flight to it (cap %d)".formatted(h.bookings(), maxPerTarget))
        : Optional.empty();
  }
}
