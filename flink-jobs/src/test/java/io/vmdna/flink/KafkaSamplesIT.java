package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.kafka.testkit.KafkaBrokerExtension;
import io.vmdna.models.VmSample;
import io.vmdna.models.VmSampleJson;
import io.vmdna.models.dna.FlowRecord;
import io.vmdna.models.dna.FlowRecordJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final Path DATA = Path.of("../data/bitbrains-demo");
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path images;

  private SimFleet fleet(String name) {
    FleetSpec spec = FleetSpec.read(DATA.resolve("fleet.csv"));
    return SimFleet.load(DATA, spec, images.resolve(name), QemuImg.onPath());
  }

  @Test
  void shouldGiveTheSameSignalsAsTheDirectFeedAndSkipMalformedRecords() throws Exception {
    // given every sample of the demo fleet on the topic, keyed by VM, and one malformed record
    SimFleet source = fleet("kafka");
    String topic = "samples-" + System.nanoTime();
    List<List<VmSample>> steps = new java.util.ArrayList<>();
    while (source.remainingSamples() > 0) {
      steps.add(source.nextStep());
    }
    publish(topic, steps.subList(0, 84));
    // a producer that is not vmdna's writes something that is not a sample
    try (var producer =
        new KafkaProducer<String, byte[]>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(topic, "bad", "{\"oops\"".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    publish(topic, steps.subList(84, steps.size()));
    long published = steps.stream().mapToLong(List::size).sum();
    Map<String, Double> capacities = new LinkedHashMap<>();
    source.hosts().forEach(h -> capacities.put(h.hostId(), h.cpuCapacityMhz()));
    ProfilerConfig config = ProfilerConfig.defaults(capacities);

    // when the job reads the topic, and separately the fleet itself
    CollectingSink fromKafka = new CollectingSink("kafka-" + topic);
    DnaProfilerJob.Counters kafka =
        run(
            new DnaProfilerJob(
                KafkaSamples.source(KAFKA.bootstrapServers(), topic, "it", true, Map.of()),
                fromKafka,
                config));
    CollectingSink direct = runOnFleet("direct-" + topic, config);

    // then every well-formed sample was profiled, the bad one skipped, and the signals agree
    assertThat(published).isEqualTo(12 * 289L);
    assertThat(kafka.samples()).isEqualTo(published);
    assertThat(kafka.vms()).isEqualTo(12);
    assertThat(kafka.rejected()).isEmpty();
    assertThat(fromKafka.collected()).isNotEmpty();
    assertThat(ids(fromKafka.collected())).isEqualTo(ids(direct.collected()));
  }

  @Test
  void shouldReadFlowRecordsFromTheirTopicIntoTheProfileAndSkipMalformedOnes() throws Exception {
    // given the fleet's samples on one topic, and an hour-by-hour day of two VMs' flows (with one
    // malformed record) on the flows topic, keyed by VM as a collector writes them
    SimFleet source = fleet("flows");
    long startS = source.nowS();
    String samples = "samples-flows-" + System.nanoTime();
    String flows = "flows-" + System.nanoTime();
    List<List<VmSample>> steps = new java.util.ArrayList<>();
    while (source.remainingSamples() > 0) {
      steps.add(source.nextStep());
    }
    publish(samples, steps);
    List<String> vms = steps.getFirst().stream().map(VmSample::vmId).sorted().limit(2).toList();
    try (var producer =
        new KafkaProducer<String, byte[]>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (int hour = 0; hour < 24; hour++) {
        for (String vm : vms) {
          FlowRecord f = new FlowRecord(vm, startS + 3600L * hour, "tcp", "10.0.0.9", 4096);
          producer.send(new ProducerRecord<>(flows, vm, FlowRecordJson.encode(f)));
        }
      }
      producer
          .send(new ProducerRecord<>(flows, "x", "{\"schema\":1}".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    Map<String, Double> capacities = new LinkedHashMap<>();
    source.hosts().forEach(h -> capacities.put(h.hostId(), h.cpuCapacityMhz()));

    // when the job reads both topics
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    var result =
        new DnaProfilerJob(
                KafkaSamples.source(KAFKA.bootstrapServers(), samples, "it", true, Map.of()),
                new CollectingSink("flows-" + flows),
                ProfilerConfig.defaults(capacities))
            .withFlows(
                KafkaSamples.flowSource(KAFKA.bootstrapServers(), flows, "it", true, Map.of()))
            .execute(env);

    // then every sample and every well-formed flow record reached the profile
    DnaProfilerJob.Counters c = DnaProfilerJob.Counters.of(result);
    assertThat(c.samples()).isEqualTo(12 * 289L);
    assertThat(((Number) result.getAccumulatorResult(VmProfileFunction.FLOWS)).longValue())
        .isEqualTo(48);
  }

  @Test
  void shouldResumeFromASavepointAtAnotherParallelismWithoutLosingOrRepeatingSignals(
      @TempDir Path savepoints) throws Exception {
    // given the whole day's signals of one uninterrupted run for reference, and the day's first
    // part on the topic
    SimFleet source = fleet("rescale");
    String topic = "rescale-" + System.nanoTime();
    List<List<VmSample>> steps = new java.util.ArrayList<>();
    while (source.remainingSamples() > 0) {
      steps.add(source.nextStep());
    }
    Map<String, Double> capacities = new LinkedHashMap<>();
    source.hosts().forEach(h -> capacities.put(h.hostId(), h.cpuCapacityMhz()));
    ProfilerConfig config = ProfilerConfig.defaults(capacities);
    CollectingSink reference = runOnFleet("reference-" + topic, config);
    // split an hour after the first signal, so both runs have signals to give
    long firstSignalS =
        reference.collected().stream().mapToLong(MigrationSignal::windowEndS).min().orElseThrow();
    int half = 0;
    while (steps.get(half).isEmpty() || steps.get(half).getFirst().timestampS() <= firstSignalS) {
      half++;
    }
    half = Math.min(half + 12, steps.size() - 12);
    // one partition: a partition without samples would hold event time back until the source
    // marks it idle (a minute), and the first run would end before any timer fired
    try (Admin admin =
        Admin.create(
            Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    publish(topic, steps.subList(0, half));

    // when the job reads them at parallelism 2 and is stopped with a savepoint (no drain: timers
    // and windows stay in the savepoint) ...
    CollectingSink first = new CollectingSink("first-" + topic);
    JobClient a = start(config, topic, first, 2, null);
    String savepoint;
    try {
      awaitConsumed(topic, "rescale");
      savepoint =
          a.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
              .get(60, TimeUnit.SECONDS);
    } catch (Exception | AssertionError e) {
      a.cancel();
      throw e;
    }

    // ... and resumes from it at parallelism 3 over the rest of the day, drained at the end
    publish(topic, steps.subList(half, steps.size()));
    CollectingSink second = new CollectingSink("second-" + topic);
    JobClient b = start(config, topic, second, 3, savepoint);
    try {
      awaitConsumed(topic, "rescale");
      b.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
          .get(60, TimeUnit.SECONDS);
    } catch (Exception | AssertionError e) {
      b.cancel();
      throw e;
    }

    // then together they signalled exactly what one uninterrupted run signals
    List<String> both = new java.util.ArrayList<>(ids(first.collected()));
    both.addAll(ids(second.collected()));
    assertThat(ids(first.collected())).as("signals before the stop").isNotEmpty();
    assertThat(ids(second.collected())).as("signals after the resume").isNotEmpty();
    assertThat(both.stream().sorted().toList()).isEqualTo(ids(reference.collected()));
  }

  private static JobClient start(
      ProfilerConfig config, String topic, CollectingSink sink, int parallelism, String savepoint)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    env.enableCheckpointing(200);
    new DnaProfilerJob(
            KafkaSamples.source(KAFKA.bootstrapServers(), topic, "rescale", false, Map.of()),
            sink,
            config)
        .build(env);
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName("rescale-" + parallelism);
    if (savepoint != null) {
      graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint));
    }
    return env.executeAsync(graph);
  }

  private static void publish(String topic, List<List<VmSample>> steps) throws Exception {
    try (var producer =
        new KafkaProducer<String, byte[]>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (List<VmSample> step : steps) {
        for (VmSample s : step) {
          producer.send(new ProducerRecord<>(topic, s.vmId(), VmSampleJson.encode(s)));
        }
      }
      producer.flush();
    }
  }

  /**
   * Waits until the group's committed offsets reach the end of every partition: offsets are
   * committed when a checkpoint completes, and by then every operator has processed the records
   * before it.
   */
  private static void awaitConsumed(String topic, String group) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        var partitions =
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        partitions.forEach(
            p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        boolean done =
            ends.entrySet().stream()
                .allMatch(
                    e ->
                        e.getValue().offset() == 0
                            || (committed.get(e.getKey()) != null
                                && committed.get(e.getKey()).offset() >= e.getValue().offset()));
        if (done) {
          return;
        }
        Thread.sleep(200);
      }
      throw new AssertionError("the job did not consume topic " + topic + " within 120 s");
    }
  }

  /** Runs the job on the demo fleet fed directly (no Kafka); returns what it signalled. */
  private CollectingSink runOnFleet(String name, ProfilerConfig config) throws Exception {
    InJvmFeeds.register(name, fleet(name));
    CollectingSink sink = new CollectingSink(name);
    try {
      run(new DnaProfilerJob(FeedSource.of(name, 1_000_000), sink, config));
    } finally {
      InJvmFeeds.unregister(name);
    }
    return sink;
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
