package io.vmdna.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/**
 * The DNA history of every VM ({@code dna_history}): written in batches by the Flink job, read by
 * anyone. Thread-safe; writes are idempotent (a record already there, same VM and time, is left as
 * it was), so a replay after a restore adds nothing twice.
 */
public final class DnaHistoryRepository {
  private final DataSource dataSource;

  /** Uses the given data source; the schema must be migrated ({@link Database#migrate}). */
  public DnaHistoryRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Records DNAs in one transaction.
   *
   * @return how many were new (the others were recorded before)
   */
  public int record(List<DnaRecord> records) {
    if (records.isEmpty()) {
      return 0;
    }
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try (PreparedStatement u =
          c.prepareStatement(
              """
              insert into dna_history
                (vm_id, computed_at_s, host_id, schema_version, embedding, error_score)
              values (?, ?, ?, ?, ?, ?)
              on conflict (vm_id, computed_at_s) do nothing""")) {
        for (DnaRecord r : records) {
          u.setString(1, r.vmId());
          u.setLong(2, r.computedAtS());
          u.setString(3, r.hostId());
          u.setInt(4, r.schemaVersion());
          u.setArray(5, c.createArrayOf("float8", r.embedding().toArray()));
          u.setDouble(6, r.errorScore());
          u.addBatch();
        }
        int added = Arrays.stream(u.executeBatch()).map(n -> Math.max(0, n)).sum();
        c.commit();
        return added;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new StoreException(
          "record %d DNA(s), first of %s: %s"
              .formatted(records.size(), records.getFirst().vmId(), e.getMessage()),
          e);
    }
  }

  /** A VM's newest DNAs, newest first, at most {@code limit}. */
  public List<DnaRecord> history(String vmId, int limit) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement q =
            c.prepareStatement(
                """
                select vm_id, host_id, computed_at_s, schema_version, embedding, error_score
                from dna_history where vm_id = ? order by computed_at_s desc limit ?""")) {
      q.setString(1, vmId);
      q.setInt(2, limit);
      List<DnaRecord> out = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          Array a = rs.getArray(5);
          List<Double> emb = Arrays.asList((Double[]) a.getArray());
          out.add(
              new DnaRecord(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getLong(3),
                  rs.getInt(4),
                  emb,
                  rs.getDouble(6)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("DNA history of " + vmId + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes DNAs computed before {@code beforeS} (epoch seconds), for retention.
   *
   * @return how many were deleted
   */
  public int prune(long beforeS) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement u =
            c.prepareStatement("delete from dna_history where computed_at_s < ?")) {
      u.setLong(1, beforeS);
      return u.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("prune DNA history before " + beforeS + ": " + e.getMessage(), e);
    }
  }
}
