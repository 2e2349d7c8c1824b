package io.vmdna.placement;

import io.vmdna.store.Reservation;
import java.util.List;

/**
 * Where host selection learns what in-flight migrations have booked on a host. In production this
 * is {@code ReservationRepository::onHost} (PostgreSQL, shared by every worker replica); the
 * what-if simulator books in memory on simulated time. Implementations must be safe to call from
 * the threads that call {@link HostSelector}.
 */
@FunctionalInterface
public interface Bookings {
  /** Every booking on {@code hostId} now; empty when none. */
  List<Reservation> onHost(String hostId);
}
