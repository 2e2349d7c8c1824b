package io.vmdna.flink;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** A sink that collects signals in a static list per name (MiniCluster runs in this JVM). */
final class CollectingSink implements Sink<MigrationSignal> {
  private static final long serialVersionUID = 1L;
  private static final Map<String, List<MigrationSignal>> COLLECTED = new ConcurrentHashMap<>();
  private final String name;

  CollectingSink(String name) {
    this.name = name;
    COLLECTED.put(name, new CopyOnWriteArrayList<>());
  }

  List<MigrationSignal> collected() {
    return List.copyOf(COLLECTED.get(name));
  }

  @Override
  public SinkWriter<MigrationSignal> createWriter(WriterInitContext context) {
    List<MigrationSignal> target = COLLECTED.get(name);
    return new SinkWriter<>() {
      @Override
      public void write(MigrationSignal element, Context context) {
        target.add(element);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
