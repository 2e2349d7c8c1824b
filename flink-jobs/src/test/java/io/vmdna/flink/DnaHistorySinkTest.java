package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.store.DnaHistoryRepository;
import io.vmdna.store.DnaRecord;
import io.vmdna.store.EmbeddedDatabase;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.junit.jupiter.api.Test;

/** The DNA history sink's writer against a real PostgreSQL: batches, flushes, failures. */
class DnaHistorySinkTest {
  private static DnaRecord record(String vm, long t) {
    return new DnaRecord(vm, "h1", t, 2, List.of(0.1, 0.2), 0.5);
  }

  @Test
  void shouldWriteInBatchesAndOnFlushAndAddNothingTwice() throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.start()) {
      DnaHistoryRepository history = new DnaHistoryRepository(db.dataSource());
      DnaHistorySink sink = new DnaHistorySink(db.jdbcUrl(), "postgres", "postgres", 3);
      try (SinkWriter<DnaRecord> w = sink.createWriter(null)) {
        w.write(record("vm-1", 3_600), null);
        w.write(record("vm-1", 7_200), null);
        assertThat(history.history("vm-1", 10)).as("below the batch size: buffered").isEmpty();
        w.write(record("vm-1", 10_800), null);
        assertThat(history.history("vm-1", 10)).as("a full batch is written").hasSize(3);
        w.write(record("vm-2", 3_600), null);
        w.flush(false); // a checkpoint
        assertThat(history.history("vm-2", 10)).hasSize(1);
        // a replay after a restore: the same records again add nothing
        w.write(record("vm-1", 3_600), null);
        w.write(record("vm-2", 3_600), null);
      }
      assertThat(history.history("vm-1", 10)).hasSize(3);
      assertThat(history.history("vm-2", 10)).hasSize(1);
    }
  }

  @Test
  void aStoreThatGoesAwayShouldFailTheFlushNamingTheBatch() throws Exception {
    SinkWriter<DnaRecord> w;
    try (EmbeddedDatabase db = EmbeddedDatabase.start()) {
      w = new DnaHistorySink(db.jdbcUrl(), "postgres", "postgres", 100).createWriter(null);
      w.write(record("vm-9", 3_600), null);
    }
    assertThatThrownBy(() -> w.flush(false))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("DNA history: record 1 DNA(s), first of vm-9");
    // closing tries the last flush too, fails the same way, and still releases the pool
    assertThatThrownBy(w::close).hasMessageContaining("first of vm-9");
  }

  @Test
  void anUnreachableStoreShouldFailTheWriterAtStart() {
    DnaHistorySink sink = new DnaHistorySink("jdbc:postgresql://127.0.0.1:1/vmdna", "u", "p", 10);

    assertThatThrownBy(() -> sink.createWriter(null)).hasMessageContaining("127.0.0.1:1");
  }
}
