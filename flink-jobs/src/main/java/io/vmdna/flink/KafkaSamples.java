package io.vmdna.flink;

import io.vmdna.models.VmSample;
import io.vmdna.models.VmSampleJson;
import io.vmdna.models.dna.FlowRecord;
import io.vmdna.models.dna.FlowRecordJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The samples topic as a Flink source: records keyed by VM id whose values are {@link
 * VmSampleJson}, written by {@code ./vmdna collect} or any collector that writes that format.
 *
 * <p>The source starts from the consumer group's committed offsets (Flink commits them on each
 * checkpoint), else from the earliest record, so a new deployment reads the retained history and a
 * restored one continues where its checkpoint was. A malformed record is skipped, logged with its
 * topic, partition and offset and what was wrong, and counted in the metric {@value
 * #MALFORMED_METRIC}; one bad producer never stops the job.
 */
public final class KafkaSamples {
  /** Default topic name. */
  public static final String DEFAULT_TOPIC = "vm-samples";

  /** Default consumer group of the profiler. */
  public static final String DEFAULT_GROUP = "vmdna-profiler";

  /** Counter of records skipped because they were not a {@link VmSampleJson} sample. */
  public static final String MALFORMED_METRIC = "malformedSamples";

  /** Default flows topic name. */
  public static final String DEFAULT_FLOWS_TOPIC = "vm-flows";

  /** Counter of records skipped because they were not a {@link FlowRecordJson} record. */
  public static final String MALFORMED_FLOWS_METRIC = "malformedFlowRecords";

  private KafkaSamples() {}

  /**
   * A source reading {@code topic}.
   *
   * @param bootstrapServers the brokers, {@code host:port[,host:port]}
   * @param topic the samples topic
   * @param groupId the consumer group (offsets are committed on checkpoints)
   * @param stopAtEnd read what the topic holds when the job starts, then finish (a backfill or a
   *     test); false for the live, unbounded source
   * @param clientProperties further Kafka consumer settings (security, timeouts), may be empty
   */
  public static KafkaSource<VmSample> source(
      String bootstrapServers,
      String topic,
      String groupId,
      boolean stopAtEnd,
      Map<String, String> clientProperties) {
    return build(bootstrapServers, topic, groupId, stopAtEnd, clientProperties, Kind.SAMPLE);
  }

  /**
   * Reads Kafka client settings (security protocol, SASL, trust store paths) from a properties
   * file, typically mounted from a Secret so no credential appears on a command line.
   *
   * @param option the option that named the file, for the error message
   * @throws IllegalArgumentException naming the option and file when it cannot be read
   */
  public static Map<String, String> readClientProperties(String option, Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  private static void require(String v, String name) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("Kafka " + name + " is required");
    }
  }

  /**
   * The flows topic as a Flink source: records keyed by VM id whose values are {@link
   * FlowRecordJson} ({@code ./vmdna collect --conntrack} writes them), read like the samples
   * (committed offsets, else the earliest; malformed records skipped, logged and counted in {@value
   * #MALFORMED_FLOWS_METRIC}).
   *
   * @param bootstrapServers the brokers
   * @param topic the flows topic
   * @param groupId the consumer group
   * @param stopAtEnd read what the topic holds, then finish; false for the live source
   * @param clientProperties further Kafka consumer settings, may be empty
   */
  public static KafkaSource<FlowRecord> flowSource(
      String bootstrapServers,
      String topic,
      String groupId,
      boolean stopAtEnd,
      Map<String, String> clientProperties) {
    return build(bootstrapServers, topic, groupId, stopAtEnd, clientProperties, Kind.FLOW);
  }

  private static <T> KafkaSource<T> build(
      String bootstrapServers,
      String topic,
      String groupId,
      boolean stopAtEnd,
      Map<String, String> clientProperties,
      Kind kind) {
    require(bootstrapServers, "bootstrapServers");
    require(topic, "topic");
    require(groupId, "groupId");
    Properties props = new Properties();
    props.putAll(clientProperties);
    KafkaSourceBuilder<T> b =
        KafkaSource.<T>builder()
            .setBootstrapServers(bootstrapServers)
            .setTopics(topic)
            .setGroupId(groupId)
            .setProperties(props)
            .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
            .setDeserializer(new JsonDeserializer<>(kind));
    if (stopAtEnd) {
      b.setBounded(OffsetsInitializer.latest());
    }
    return b.build();
  }

  /** What a topic holds. */
  enum Kind {
    SAMPLE("sample", MALFORMED_METRIC),
    FLOW("flow record", MALFORMED_FLOWS_METRIC);

    final String what;
    final String metric;

    Kind(String what, String metric) {
      this.what = what;
      this.metric = metric;
    }

    Object decode(byte[] value) {
      return this == SAMPLE ? VmSampleJson.decode(value) : FlowRecordJson.decode(value);
    }

    TypeInformation<?> type() {
      return this == SAMPLE ? VmSampleSerializer.TYPE_INFO : TypeInformation.of(FlowRecord.class);
    }
  }

  /** Record value → a sample or flow record; malformed records are skipped, logged and counted. */
  static final class JsonDeserializer<T> implements KafkaRecordDeserializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSamples.class);
    private final Kind kind;
    private transient Counter malformed;

    JsonDeserializer(Kind kind) {
      this.kind = kind;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
      malformed = context.getMetricGroup().counter(kind.metric);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) {
      T value;
      try {
        value = (T) kind.decode(record.value());
      } catch (IllegalArgumentException e) {
        if (malformed != null) {
          malformed.inc();
        }
        LOG.warn(
            "skipping malformed {} at {}-{}@{}: {}",
            kind.what,
            record.topic(),
            record.partition(),
            record.offset(),
            e.getMessage());
        return;
      }
      out.collect(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<T> getProducedType() {
      return (TypeInformation<T>) kind.type();
    }
  }
}
