package io.vmdna.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** Connection pool and schema migration for the vmdna store. Static helpers, thread-safe. */
public final class Database {
  private Database() {}

  /**
   * A pooled data source.
   *
   * @param jdbcUrl e.g. {@code jdbc:postgresql://localhost:5432/vmdna}
   * @param user database user
   * @param password database password
   * @param maxPoolSize connections at most
   */
  public static HikariDataSource pooled(
      String jdbcUrl, String user, String password, int maxPoolSize) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(jdbcUrl);
    c.setUsername(user);
    c.setPassword(password);
    c.setMaximumPoolSize(maxPoolSize);
    c.setPoolName("vmdna-store");
    return new HikariDataSource(c);
  }

  /**
   * Brings the schema up to date (Flyway, scripts in {@code db/migration}). Idempotent; safe to
   * call from every replica at start-up (Flyway takes a lock).
   *
   * @return the number of migrations applied now
   */
  public static int migrate(DataSource dataSource) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .load()
        .migrate()
        .migrationsExecuted;
  }
}
