package io.vmdna.placement;

import io.vmdna.store.Reservation;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where host selection learns what in-flight migrations have booked on a host. In production this
 * is {@link io.vmdna.store.ReservationRepository} (PostgreSQL, shared by every worker replica); the
 * what-if simulator books in memory on simulated time. Implementations must be safe to call from
 * the threads that call {@link HostSelector}.
 */
@FunctionalInterface
public interface Bookings {
  /** Every booking on {@code hostId} now; empty when none. */
  List<Reservation> onHost(String hostId);

  /**
   * Every booking on each of {@code hostIds} now, by host id; a host without bookings may be
   * absent. {@link HostSelector} asks this once per decision. The default asks {@link #onHost} for
   * each host; a store should answer in one read (one round trip, and one state of the bookings for
   * the whole decision).
   */
  default Map<String, List<Reservation>> onHosts(Collection<String> hostIds) {
    Map<String, List<Reservation>> out = new HashMap<>();
    for (String h : hostIds) {
      out.put(h, onHost(h));
    }
    return out;
  }
}
