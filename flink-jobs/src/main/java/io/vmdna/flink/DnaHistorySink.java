package io.vmdna.flink;

import com.zaxxer.hikari.HikariDataSource;
import io.vmdna.store.Database;
import io.vmdna.store.DnaHistoryRepository;
import io.vmdna.store.DnaRecord;
import io.vmdna.store.StoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes each VM's DNA history into the state store ({@code dna_history} in PostgreSQL, {@link
 * DnaHistoryRepository}): the profiler emits a {@link DnaRecord} whenever it computes a VM's
 * schema-2 DNA (first profile, then once every 3 hours of samples).
 *
 * <p>Records are buffered and written in one transaction when {@code batchSize} are waiting and
 * before every checkpoint ({@link SinkWriter#flush}), so a checkpoint never completes with records
 * unwritten. At-least-once delivery with idempotent writes (key: VM and time): a replay after a
 * restore adds nothing twice. The writer migrates the schema at start (idempotent, safe beside the
 * workers doing the same). A database that refuses fails the job with the store's message (Flink's
 * restart strategy takes it from there).
 */
public final class DnaHistorySink implements Sink<DnaRecord> {
  private static final long serialVersionUID = 1L;

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final int batchSize;

  /**
   * @param jdbcUrl the store, e.g. {@code jdbc:postgresql://db:5432/vmdna}
   * @param user database user
   * @param password database password
   * @param batchSize records per write at most (at least 1)
   */
  public DnaHistorySink(String jdbcUrl, String user, String password, int batchSize) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
      throw new IllegalArgumentException("DNA history store: not a JDBC URL: " + jdbcUrl);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("DNA history batch size must be >= 1, was " + batchSize);
    }
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.batchSize = batchSize;
  }

  @Override
  public SinkWriter<DnaRecord> createWriter(WriterInitContext context) {
    return new Writer(Database.pooled(jdbcUrl, user, password, 2), batchSize);
  }

  private static final class Writer implements SinkWriter<DnaRecord> {
    private final HikariDataSource pool;
    private final DnaHistoryRepository repository;
    private final int batchSize;
    private final List<DnaRecord> buffer = new ArrayList<>();

    Writer(HikariDataSource pool, int batchSize) {
      this.pool = pool;
      this.batchSize = batchSize;
      Database.migrate(pool);
      this.repository = new DnaHistoryRepository(pool);
    }

    @Override
    public void write(DnaRecord r, Context context) throws IOException {
      buffer.add(r);
      if (buffer.size() >= batchSize) {
        flush(false);
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      if (buffer.isEmpty()) {
        return;
      }
      try {
        repository.record(buffer);
      } catch (StoreException e) {
        throw new IOException("DNA history: " + e.getMessage(), e);
      }
      buffer.clear();
    }

    @Override
    public void close() throws IOException {
      try {
        flush(true);
      } finally {
        pool.close();
      }
    }
  }
}
