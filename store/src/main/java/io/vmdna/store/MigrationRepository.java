package io.vmdna.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Migration records and their step history. The migration id is the primary key, which is what
 * makes a repeated signal harmless: only the first process instance can claim it. Thread-safe.
 */
public final class MigrationRepository {
  private final DataSource dataSource;

  /** Uses the given data source; the schema must be migrated ({@link Database#migrate}). */
  public MigrationRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** What {@link #claim} found. */
  public enum Claim {
    /** The id was new; this instance owns it now. */
    CLAIMED,
    /** This same instance claimed it before (a retried job); it still owns it. */
    OWNED,
    /** Another process instance owns this id: this one is a duplicate. */
    DUPLICATE,
    /** A safety rail forbids the migration now; recorded as {@code DECLINED} with the reason. */
    DECLINED
  }

  /**
   * What {@link #claim(MigrationRecord, Rails)} decided.
   *
   * @param claim the outcome
   * @param veto why a rail declined it (null unless {@link Claim#DECLINED})
   */
  public record ClaimResult(Claim claim, String veto) {}

  /**
   * Claims a migration id as {@link #claim(MigrationRecord)} does, checking the rails first: the
   * VM's cooldown, the cap per source host and the cluster-wide cap. Claims are serialised
   * cluster-wide (a transaction-scoped advisory lock), so two replicas cannot both pass a cap.
   * Idempotent for the same instance (an owned claim is not re-checked).
   */
  public ClaimResult claim(MigrationRecord r, Rails rails) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement lock =
            c.prepareStatement("select pg_advisory_xact_lock(hashtext('vmdna:claim'))")) {
          lock.execute();
        }
        Optional<MigrationRecord> existing = find(c, r.migrationId());
        String veto = null;
        boolean fresh =
            existing.isEmpty()
                || (existing.get().processInstanceKey() == 0
                    && existing.get().status() == MigrationStatus.REQUESTED);
        if (fresh) {
          veto = veto(c, r, rails);
        }
        Claim claim;
        if (veto == null) {
          claim = claim(c, r);
        } else {
          claim = Claim.DECLINED;
          upsertDeclined(c, r, veto);
        }
        c.commit();
        return new ClaimResult(claim, veto);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("claim " + r.migrationId() + ": " + e.getMessage(), e);
    }
  }

  private static String veto(Connection c, MigrationRecord r, Rails rails) throws SQLException {
    try (PreparedStatement q =
        c.prepareStatement(
            """
            select migration_id, updated_at from migration
            where vm_id = ? and status = 'MIGRATED' and updated_at > now() - make_interval(secs => ?)
            order by updated_at desc limit 1""")) {
      q.setString(1, r.vmId());
      q.setDouble(2, rails.vmCooldown().toMillis() / 1000.0);
      try (ResultSet rs = q.executeQuery()) {
        if (rs.next()) {
          return "VM %s is cooling down after migration %s (cooldown %s)"
              .formatted(r.vmId(), rs.getString(1), rails.vmCooldown());
        }
      }
    }
    try (PreparedStatement q =
        c.prepareStatement(
            """
            select count(*) filter (where source_host_id = ?), count(*) from migration
            where status in ('STARTED', 'ROLLING_BACK') and migration_id <> ?""")) {
      q.setString(1, r.sourceHostId());
      q.setString(2, r.migrationId());
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        if (rs.getLong(1) >= rails.maxPerSource()) {
          return "host %s already has %d migrations in flight (cap %d per source host)"
              .formatted(r.sourceHostId(), rs.getLong(1), rails.maxPerSource());
        }
        if (rs.getLong(2) >= rails.maxTotal()) {
          return "%d migrations in flight in the cluster (cap %d)"
              .formatted(rs.getLong(2), rails.maxTotal());
        }
      }
    }
    return null;
  }

  private static void upsertDeclined(Connection c, MigrationRecord r, String veto)
      throws SQLException {
    try (PreparedStatement u =
        c.prepareStatement(
            """
            insert into migration (migration_id, process_instance_key, vm_id, source_host_id,
                                   target_host_id, signal_type, reason, status)
            values (?, ?, ?, ?, ?, ?, ?, 'DECLINED')
            on conflict (migration_id) do update
              set process_instance_key = excluded.process_instance_key, status = 'DECLINED',
                  updated_at = now()""")) {
      u.setString(1, r.migrationId());
      u.setLong(2, r.processInstanceKey());
      u.setString(3, r.vmId());
      u.setString(4, r.sourceHostId());
      u.setString(5, r.targetHostId());
      u.setString(6, r.signalType());
      u.setString(7, r.reason());
      u.executeUpdate();
    }
    try (PreparedStatement ins =
        c.prepareStatement(
            "insert into migration_step (migration_id, step, outcome, detail) values (?, 'scan-hosts', 'DECLINED', ?)")) {
      ins.setString(1, r.migrationId());
      ins.setString(2, veto);
      ins.executeUpdate();
    }
  }

  /**
   * Hosts the VM left in completed migrations within {@code window} (ping-pong guard: it should not
   * go straight back).
   */
  public java.util.Set<String> recentlyLeft(String vmId, java.time.Duration window) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement q =
            c.prepareStatement(
                """
                select distinct source_host_id from migration
                where vm_id = ? and status = 'MIGRATED' and updated_at > now() - make_interval(secs => ?)""")) {
      q.setString(1, vmId);
      q.setDouble(2, window.toMillis() / 1000.0);
      java.util.Set<String> out = new java.util.TreeSet<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("hosts VM " + vmId + " left: " + e.getMessage(), e);
    }
  }

  /**
   * Records a migration asked for through the API, before any process instance exists ({@link
   * MigrationStatus#REQUESTED}, instance key 0). The instance's {@link #claim} takes it over.
   *
   * @return false when the id is already recorded
   */
  public boolean request(MigrationRecord r) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ins =
            c.prepareStatement(
                """
                insert into migration (migration_id, process_instance_key, vm_id, source_host_id,
                                       target_host_id, signal_type, reason, status)
                values (?, 0, ?, ?, ?, ?, ?, 'REQUESTED') on conflict (migration_id) do nothing""")) {
      ins.setString(1, r.migrationId());
      ins.setString(2, r.vmId());
      ins.setString(3, r.sourceHostId());
      ins.setString(4, r.targetHostId());
      ins.setString(5, r.signalType());
      ins.setString(6, r.reason());
      return ins.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new StoreException("request " + r.migrationId() + ": " + e.getMessage(), e);
    }
  }

  /** The VM's migrations that have not ended (requested, started or rolling back), oldest first. */
  public List<MigrationRecord> inFlight(String vmId) {
    return forVm(vmId).stream()
        .filter(
            r ->
                r.status() == MigrationStatus.REQUESTED
                    || r.status() == MigrationStatus.STARTED
                    || r.status() == MigrationStatus.ROLLING_BACK)
        .toList();
  }

  /** Every migration of a VM, oldest first. */
  public List<MigrationRecord> forVm(String vmId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement q =
            c.prepareStatement(SELECT + " where vm_id = ? order by created_at, migration_id")) {
      q.setString(1, vmId);
      List<MigrationRecord> out = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(map(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("migrations of VM " + vmId + ": " + e.getMessage(), e);
    }
  }

  /**
   * Claims a migration id for a process instance: inserts it, or takes over a {@link
   * MigrationStatus#REQUESTED} record no instance owns yet. Idempotent for the same instance.
   *
   * @param r the record to insert, status {@link MigrationStatus#STARTED}
   */
  public Claim claim(MigrationRecord r) {
    try (Connection c = dataSource.getConnection()) {
      return claim(c, r);
    } catch (SQLException e) {
      throw new StoreException("claim " + r.migrationId() + ": " + e.getMessage(), e);
    }
  }

  private static Claim claim(Connection c, MigrationRecord r) throws SQLException {
    try (PreparedStatement take =
        c.prepareStatement(
            """
            update migration set process_instance_key = ?, status = 'STARTED', updated_at = now()
            where migration_id = ? and process_instance_key = 0 and status = 'REQUESTED'""")) {
      take.setLong(1, r.processInstanceKey());
      take.setString(2, r.migrationId());
      if (take.executeUpdate() == 1) {
        return Claim.CLAIMED;
      }
    }
    try (PreparedStatement ins =
        c.prepareStatement(
            """
            insert into migration (migration_id, process_instance_key, vm_id, source_host_id,
                                   target_host_id, signal_type, reason, status)
            values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (migration_id) do nothing""")) {
      ins.setString(1, r.migrationId());
      ins.setLong(2, r.processInstanceKey());
      ins.setString(3, r.vmId());
      ins.setString(4, r.sourceHostId());
      ins.setString(5, r.targetHostId());
      ins.setString(6, r.signalType());
      ins.setString(7, r.reason());
      ins.setString(8, r.status().name());
      if (ins.executeUpdate() == 1) {
        return Claim.CLAIMED;
      }
    }
    long owner = find(c, r.migrationId()).map(MigrationRecord::processInstanceKey).orElse(-1L);
    return owner == r.processInstanceKey() ? Claim.OWNED : Claim.DUPLICATE;
  }

  /** Sets the chosen target host. */
  public void setTarget(String migrationId, String targetHostId) {
    update(
        "update migration set target_host_id = ?, updated_at = now() where migration_id = ?",
        targetHostId,
        migrationId);
  }

  /** Sets the status (final outcome or progress). */
  public void setStatus(String migrationId, MigrationStatus status) {
    update(
        "update migration set status = ?, updated_at = now() where migration_id = ?",
        status.name(),
        migrationId);
  }

  /**
   * Appends a step outcome to the history. Not idempotent on purpose: a retried step leaves one row
   * per attempt, which is what an operator wants to see.
   */
  public void recordStep(String migrationId, String step, String outcome, String detail) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ins =
            c.prepareStatement(
                "insert into migration_step (migration_id, step, outcome, detail) values (?, ?, ?, ?)")) {
      ins.setString(1, migrationId);
      ins.setString(2, step);
      ins.setString(3, outcome);
      ins.setString(4, detail);
      ins.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException(
          "record step %s of %s: %s".formatted(step, migrationId, e.getMessage()), e);
    }
  }

  /**
   * A step in a migration's history.
   *
   * @param step the step (job type without prefix, e.g. {@code migrate})
   * @param outcome e.g. {@code OK}, {@code FAILED}
   * @param detail free text
   * @param at when it was recorded
   */
  public record Step(String step, String outcome, String detail, java.time.Instant at) {}

  /** The step history of a migration, oldest first. */
  public List<Step> steps(String migrationId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement q =
            c.prepareStatement(
                "select step, outcome, detail, at from migration_step where migration_id = ? order by id")) {
      q.setString(1, migrationId);
      List<Step> out = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Step(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getTimestamp(4).toInstant()));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("steps of " + migrationId + ": " + e.getMessage(), e);
    }
  }

  /** The record of a migration id, if any. */
  public Optional<MigrationRecord> find(String migrationId) {
    try (Connection c = dataSource.getConnection()) {
      return find(c, migrationId);
    } catch (SQLException e) {
      throw new StoreException("find " + migrationId + ": " + e.getMessage(), e);
    }
  }

  /**
   * When a migration's record was created and last updated.
   *
   * @param created when it was claimed or requested
   * @param updated its last status change
   */
  public record Times(java.time.Instant created, java.time.Instant updated) {}

  /** Creation and last-update times of a migration, if recorded. */
  public Optional<Times> times(String migrationId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement q =
            c.prepareStatement(
                "select created_at, updated_at from migration where migration_id = ?")) {
      q.setString(1, migrationId);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next()
            ? Optional.of(new Times(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant()))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("times of " + migrationId + ": " + e.getMessage(), e);
    }
  }

  /**
   * How many migrations whose id starts with {@code idPrefix} are in each status, counted by the
   * database (e.g. to watch a batch of migrations without reading every record); statuses with none
   * are absent.
   *
   * @throws StoreException naming the prefix when the query fails
   */
  public Map<MigrationStatus, Long> countByStatus(String idPrefix) {
    String pattern = idPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    try (Connection c = dataSource.getConnection();
        PreparedStatement q =
            c.prepareStatement(
                "select status, count(*) from migration where migration_id like ? escape '\\'"
                    + " group by status")) {
      q.setString(1, pattern);
      Map<MigrationStatus, Long> out = new java.util.EnumMap<>(MigrationStatus.class);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.put(MigrationStatus.valueOf(rs.getString(1)), rs.getLong(2));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException(
          "count migrations starting with " + idPrefix + ": " + e.getMessage(), e);
    }
  }

  /** Every migration record, oldest first. */
  public List<MigrationRecord> all() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement q = c.prepareStatement(SELECT + " order by created_at, migration_id");
        ResultSet rs = q.executeQuery()) {
      List<MigrationRecord> out = new ArrayList<>();
      while (rs.next()) {
        out.add(map(rs));
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("list migrations: " + e.getMessage(), e);
    }
  }

  private static final String SELECT =
      "select migration_id, process_instance_key, vm_id, source_host_id, target_host_id,"
          + " signal_type, reason, status from migration";

  private static Optional<MigrationRecord> find(Connection c, String migrationId)
      throws SQLException {
    try (PreparedStatement q = c.prepareStatement(SELECT + " where migration_id = ?")) {
      q.setString(1, migrationId);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? Optional.of(map(rs)) : Optional.empty();
      }
    }
  }

  private static MigrationRecord map(ResultSet rs) throws SQLException {
    return new MigrationRecord(
        rs.getString(1),
        rs.getLong(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        MigrationStatus.valueOf(rs.getString(8)));
  }

  private void update(String sql, String value, String migrationId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement u = c.prepareStatement(sql)) {
      u.setString(1, value);
      u.setString(2, migrationId);
      if (u.executeUpdate() != 1) {
        throw new StoreException("no migration record " + migrationId, null);
      }
    } catch (SQLException e) {
      throw new StoreException("update " + migrationId + ": " + e.getMessage(), e);
    }
  }
}
