package io.vmdna.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reservations of host capacity, shared by every worker replica through PostgreSQL.
 *
 * <p>{@link #reserve} serialises bookings per host with a transaction-scoped advisory lock, so two
 * replicas can never book the same free capacity twice. Thread-safe.
 */
public final class ReservationRepository {
  private final DataSource dataSource;

  /** Uses the given data source; the schema must be migrated ({@link Database#migrate}). */
  public ReservationRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** What {@link #reserve} did. */
  public enum Outcome {
    /** The capacity is now booked for this migration. */
    RESERVED,
    /** This migration had already booked it (idempotent repeat); nothing changed. */
    ALREADY_RESERVED,
    /** Other bookings leave too little room on the host; nothing changed. */
    CAPACITY_GONE
  }

  /**
   * Books capacity on a host if what is free, less what other migrations booked, still fits it.
   * Idempotent by migration id.
   *
   * @param r the booking
   * @param freeCpuMhz the host's CPU free now by the caller's measure (capacity − load), MHz
   * @param freeMemKb the host's memory free now, KiB
   */
  public Outcome reserve(Reservation r, double freeCpuMhz, double freeMemKb) {
    return reserve(r, freeCpuMhz, freeMemKb, Integer.MAX_VALUE);
  }

  /**
   * As {@link #reserve(Reservation, double, double)}, and refuses ({@link Outcome#CAPACITY_GONE})
   * when the host already has {@code maxBookings} other bookings (the cap on migrations in flight
   * to one host).
   */
  public Outcome reserve(Reservation r, double freeCpuMhz, double freeMemKb, int maxBookings) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Outcome o = reserveIn(c, r, freeCpuMhz, freeMemKb, maxBookings);
        c.commit();
        return o;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(
          "reserve %s on %s: %s".formatted(r.migrationId(), r.hostId(), e.getMessage()), e);
    }
  }

  private static Outcome reserveIn(
      Connection c, Reservation r, double freeCpu, double freeMem, int maxBookings)
      throws SQLException {
    try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
      lock.setString(1, "reservation:" + r.hostId());
      lock.execute();
    }
    try (PreparedStatement q =
        c.prepareStatement("select host_id from reservation where migration_id = ?")) {
      q.setString(1, r.migrationId());
      try (ResultSet rs = q.executeQuery()) {
        if (rs.next()) {
          return Outcome.ALREADY_RESERVED;
        }
      }
    }
    double bookedCpu = 0;
    double bookedMem = 0;
    long bookings = 0;
    try (PreparedStatement q =
        c.prepareStatement(
            "select coalesce(sum(cpu_mhz), 0), coalesce(sum(mem_kb), 0), count(*) from reservation where host_id = ?")) {
      q.setString(1, r.hostId());
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        bookedCpu = rs.getDouble(1);
        bookedMem = rs.getDouble(2);
        bookings = rs.getLong(3);
      }
    }
    if (bookings >= maxBookings
        || bookedCpu + r.cpuMhz() > freeCpu
        || bookedMem + r.memKb() > freeMem) {
      return Outcome.CAPACITY_GONE;
    }
    try (PreparedStatement ins =
        c.prepareStatement(
            "insert into reservation (migration_id, host_id, vm_id, cpu_mhz, mem_kb) values (?, ?, ?, ?, ?)")) {
      ins.setString(1, r.migrationId());
      ins.setString(2, r.hostId());
      ins.setString(3, r.vmId());
      ins.setDouble(4, r.cpuMhz());
      ins.setDouble(5, r.memKb());
      ins.executeUpdate();
    }
    return Outcome.RESERVED;
  }

  /**
   * Releases a migration's booking. Idempotent.
   *
   * @return true when a booking was removed
   */
  public boolean release(String migrationId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement d =
            c.prepareStatement("delete from reservation where migration_id = ?")) {
      d.setString(1, migrationId);
      return d.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new StoreException("release " + migrationId + ": " + e.getMessage(), e);
    }
  }

  /** The booking of a migration, if any. */
  public Optional<Reservation> find(String migrationId) {
    List<Reservation> rs = query("where migration_id = ?", migrationId);
    return rs.stream().findFirst();
  }

  /** Every booking on a host. */
  public List<Reservation> onHost(String hostId) {
    return query("where host_id = ?", hostId);
  }

  /**
   * Every booking on each of {@code hostIds}, by host id, read in one query (one state of the
   * bookings); hosts without bookings are absent. An empty collection asks nothing.
   *
   * @throws StoreException naming the hosts asked for when the query fails
   */
  public Map<String, List<Reservation>> onHosts(Collection<String> hostIds) {
    Map<String, List<Reservation>> out = new HashMap<>();
    if (hostIds.isEmpty()) {
      return out;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement q =
            c.prepareStatement(
                "select migration_id, host_id, vm_id, cpu_mhz, mem_kb from reservation"
                    + " where host_id = any(?)")) {
      q.setArray(1, c.createArrayOf("text", hostIds.toArray()));
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          Reservation r = row(rs);
          out.computeIfAbsent(r.hostId(), h -> new ArrayList<>()).add(r);
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("reservations on hosts " + hostIds + ": " + e.getMessage(), e);
    }
  }

  private static Reservation row(ResultSet rs) throws SQLException {
    return new Reservation(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getDouble(4), rs.getDouble(5));
  }

  private List<Reservation> query(String where, String arg) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement q =
            c.prepareStatement(
                "select migration_id, host_id, vm_id, cpu_mhz, mem_kb from reservation " + where)) {
      q.setString(1, arg);
      List<Reservation> out = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException(
          "reservations " + where.replace("?", arg) + ": " + e.getMessage(), e);
    }
  }
}
