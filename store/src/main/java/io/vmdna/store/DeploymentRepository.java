package io.vmdna.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Records of the bundled BPMN/DMN resources the workers deployed (resource name → checksum).
 * Thread-safe.
 */
public final class DeploymentRepository {
  private final DataSource dataSource;

  /** Uses the given data source; the schema must be migrated ({@link Database#migrate}). */
  public DeploymentRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The checksum last deployed under {@code resourceName}, if it was ever deployed. */
  public Optional<String> checksum(String resourceName) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement q =
            c.prepareStatement("select checksum from deployment where resource_name = ?")) {
      q.setString(1, resourceName);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("deployment of " + resourceName + ": " + e.getMessage(), e);
    }
  }

  /** Records a deployment (replacing an older record of the same resource). Idempotent. */
  public void record(String resourceName, String checksum) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement u =
            c.prepareStatement(
                """
                insert into deployment (resource_name, checksum) values (?, ?)
                on conflict (resource_name) do update
                  set checksum = excluded.checksum, deployed_at = now()""")) {
      u.setString(1, resourceName);
      u.setString(2, checksum);
      u.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("record deployment of " + resourceName + ": " + e.getMessage(), e);
    }
  }
}
