package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.kafka.testkit.KafkaBroker;
import io.vmdna.models.VmSample;
import io.vmdna.models.VmSampleJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job reading samples from a real Kafka broker (KRaft, 4 partitions) gives the same signals as
 * the job fed directly by the simulated fleet, and skips a malformed record.
 */
class KafkaSamplesIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final Path DATA = Path.of("../data/bitbrains-demo");
  private static KafkaBroker broker;

  @TempDir Path images;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start(Path.of("target"));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private SimFleet fleet(String name) {
    FleetSpec spec = FleetSpec.read(DATA.resolve("fleet.csv"));
    return SimFleet.load(DATA, spec, images.resolve(name), QemuImg.onPath());
  }

  @Test
  void shouldGiveTheSameSignalsAsTheDirectFeedAndSkipMalformedRecords() throws Exception {
    // given every sample of the demo fleet on the topic, keyed by VM, and one malformed record
    SimFleet source = fleet("kafka");
    String topic = "samples-" + System.nanoTime();
    long published = 0;
    try (var producer =
        new KafkaProducer<String, byte[]>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            new ByteArraySerializer())) {
      while (source.remainingSamples() > 0) {
        for (VmSample s : source.nextStep()) {
          producer.send(new ProducerRecord<>(topic, s.vmId(), VmSampleJson.encode(s)));
          published++;
        }
        if (published > 1000 && published < 1013) {
          producer.send(
              new ProducerRecord<>(topic, "bad", "{\"oops\"".getBytes(StandardCharsets.UTF_8)));
        }
      }
      producer.flush();
    }
    Map<String, Double> capacities = new LinkedHashMap<>();
    source.hosts().forEach(h -> capacities.put(h.hostId(), h.cpuCapacityMhz()));
    ProfilerConfig config = ProfilerConfig.defaults(capacities);

    // when the job reads the topic, and separately the fleet itself
    CollectingSink fromKafka = new CollectingSink("kafka-" + topic);
    DnaProfilerJob.Counters kafka =
        run(
            new DnaProfilerJob(
                KafkaSamples.source(broker.bootstrapServers(), topic, "it", true, Map.of()),
                fromKafka,
                config));
    String feed = "direct-" + topic;
    InJvmFeeds.register(feed, fleet("direct"));
    CollectingSink direct = new CollectingSink("direct-" + topic);
    try {
      run(new DnaProfilerJob(FeedSource.of(feed, 1_000_000), direct, config));
    } finally {
      InJvmFeeds.unregister(feed);
    }

    // then every well-formed sample was profiled, the bad one skipped, and the signals agree
    assertThat(published).isEqualTo(12 * 289L);
    assertThat(kafka.samples()).isEqualTo(published);
    assertThat(kafka.vms()).isEqualTo(12);
    assertThat(kafka.rejected()).isEmpty();
    assertThat(fromKafka.collected()).isNotEmpty();
    assertThat(ids(fromKafka.collected())).isEqualTo(ids(direct.collected()));
  }

  private static DnaProfilerJob.Counters run(DnaProfilerJob job) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return DnaProfilerJob.Counters.of(job.execute(env));
  }

  private static List<String> ids(List<MigrationSignal> signals) {
    return signals.stream().map(MigrationSignal::migrationId).sorted().toList();
  }
}
