package io.vmdna.store;

import java.time.Duration;

/**
 * Safety rails on migrations, enforced in PostgreSQL so every worker replica sees the same counts.
 *
 * @param vmCooldown a VM that completed a migration is not moved again for this long
 * @param pingPongWindow a VM is not moved back to a host it left within this window
 * @param maxPerSource migrations in flight from one host at most
 * @param maxPerTarget migrations in flight to one host at most (counted by reservations)
 * @param maxTotal migrations in flight in the whole cluster at most
 */
public record Rails(
    Duration vmCooldown,
    Duration pingPongWindow,
    int maxPerSource,
    int maxPerTarget,
    int maxTotal) {

  /** Defaults: an hour of cooldown, a day against ping-pong, 2 / 2 / 10 in flight. */
  public static Rails defaults() {
    return new Rails(Duration.ofHours(1), Duration.ofHours(24), 2, 2, 10);
  }

  /** Validates. */
  public Rails {
    if (vmCooldown.isNegative() || pingPongWindow.isNegative()) {
      throw new IllegalArgumentException("rails: durations must not be negative");
    }
    if (maxPerSource < 1 || maxPerTarget < 1 || maxTotal < 1) {
      throw new IllegalArgumentException(
          "rails: caps must be >= 1, were per source %d, per target %d, total %d"
              .formatted(maxPerSource, maxPerTarget, maxTotal));
    }
  }
}
