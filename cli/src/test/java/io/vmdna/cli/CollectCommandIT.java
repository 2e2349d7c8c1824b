package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.kafka.testkit.KafkaBrokerExtension;
import io.vmdna.models.VmSample;
import io.vmdna.models.VmSampleJson;
import io.vmdna.models.dna.FlowRecord;
import io.vmdna.models.dna.FlowRecordJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vmdna collect} against a real Kafka broker (KRaft, child JVM): a replay of the demo
 * fleet and a poll of libvirt's test driver ({@code test:///default}, one running domain).
 */
class CollectCommandIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path work;

  @Test
  void shouldPublishAReplayKeyedByVmInOrder() throws Exception {
    String topic = "replay-" + System.nanoTime();
    String printed =
        run(
            "collect",
            "--kafka-bootstrap",
            KAFKA.bootstrapServers(),
            "--topic",
            topic,
            "--traces",
            "../data/bitbrains-demo",
            "--steps",
            "10",
            "--steps-per-second",
            "1000",
            "--work",
            work.toString());

    List<ConsumerRecord<String, byte[]>> records = consume(topic, 120);
    assertThat(records).hasSize(120);
    Map<String, List<Long>> timesByVm =
        records.stream()
            .map(r -> Map.entry(r.key(), VmSampleJson.decode(r.value())))
            .peek(e -> assertThat(e.getValue().vmId()).isEqualTo(e.getKey()))
            .collect(
                Collectors.groupingBy(
                    Map.Entry::getKey,
                    Collectors.mapping(e -> e.getValue().timestampS(), Collectors.toList())));
    assertThat(timesByVm).hasSize(12);
    timesByVm.values().forEach(t -> assertThat(t).hasSize(10).isSorted());
    assertThat(printed).contains("done, 10 steps, 120 samples published to " + topic);
  }

  @Test
  void shouldPublishWhatALibvirtHostReports() throws Exception {
    String topic = "libvirt-" + System.nanoTime();
    String printed =
        run(
            "collect",
            "--kafka-bootstrap",
            KAFKA.bootstrapServers(),
            "--topic",
            topic,
            "--libvirt",
            "lab=test:///default",
            "--interval",
            "1s",
            "--steps",
            "3");

    // the first poll only takes the counters' starting point; the next two give one sample each
    List<ConsumerRecord<String, byte[]>> records = consume(topic, 2);
    assertThat(records).hasSize(2);
    VmSample s = VmSampleJson.decode(records.getFirst().value());
    assertThat(s.vmId()).isEqualTo("test");
    assertThat(s.hostId()).isEqualTo("lab");
    assertThat(s.cpuCores()).isPositive();
    assertThat(s.memProvisionedKb()).isPositive();
    assertThat(printed).contains("step 3, 2 samples published");
  }

  @Test
  void shouldPublishTheGuestsFlowRecordsFromTheConntrackTable(@TempDir Path dir) throws Exception {
    String topic = "libvirt-flows-samples-" + System.nanoTime();
    String flows = "libvirt-flows-" + System.nanoTime();
    Path addresses = Files.writeString(dir.resolve("addresses.csv"), "test,192.168.122.10\n");
    // the table as conntrack -L -o extended prints it (the same at every poll: nothing moves)
    Path table = Path.of("../hypervisor/libvirt/src/test/resources/conntrack/first.txt");
    String printed =
        run(
            "collect",
            "--kafka-bootstrap",
            KAFKA.bootstrapServers(),
            "--topic",
            topic,
            "--libvirt",
            "lab=test:///default",
            "--interval",
            "1s",
            "--steps",
            "3",
            "--flows-topic",
            flows,
            "--vm-addresses",
            addresses.toString(),
            "--conntrack-command",
            "cat " + table.toAbsolutePath());

    // the first poll publishes the guest's three connections; later ones, which saw no bytes
    // move, publish nothing
    List<ConsumerRecord<String, byte[]>> records = consume(flows, 3);
    assertThat(records).hasSize(3).allMatch(r -> r.key().equals("test"));
    assertThat(records.stream().map(r -> FlowRecordJson.decode(r.value())))
        .extracting(FlowRecord::protocol, FlowRecord::destination, FlowRecord::bytes)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("tcp", "10.0.0.5", 25_000L),
            org.assertj.core.groups.Tuple.tuple("udp", "10.0.0.53", 180L),
            org.assertj.core.groups.Tuple.tuple("tcp", "10.0.0.9", 1_000L));
    assertThat(printed).contains("3 flow records published to " + flows);
  }

  @Test
  void aConntrackReadThatFailsShouldBeReportedWhileTheSamplesGoOn(@TempDir Path dir)
      throws Exception {
    Path addresses = Files.writeString(dir.resolve("addresses.csv"), "test,192.168.122.10\n");
    String printed =
        run(
            "collect",
            "--kafka-bootstrap",
            KAFKA.bootstrapServers(),
            "--topic",
            "libvirt-noflows-" + System.nanoTime(),
            "--libvirt",
            "lab=test:///default",
            "--interval",
            "1s",
            "--steps",
            "2",
            "--flows-topic",
            "noflows-" + System.nanoTime(),
            "--vm-addresses",
            addresses.toString(),
            "--conntrack-command",
            "no-such-conntrack -L");

    assertThat(printed)
        .contains("no flow records this poll: conntrack: cannot run 'no-such-conntrack -L'")
        .contains("step 2, 1 samples published")
        .contains("0 flow records published");
  }

  @Test
  void shouldNameTheBrokerThatDoesNotAnswer() throws Exception {
    Path props = Files.writeString(work.resolve("p.properties"), "max.block.ms=1500\n");
    assertThatThrownBy(
            () ->
                run(
                    "collect",
                    "--kafka-bootstrap",
                    "localhost:1",
                    "--kafka-properties",
                    props.toString(),
                    "--traces",
                    "../data/bitbrains-demo",
                    "--steps",
                    "1",
                    "--work",
                    work.toString()))
        .hasMessageContaining("publishing to topic vm-samples failed");
  }

  @Test
  void shouldRefuseBadOptions() {
    assertThatThrownBy(() -> run("collect", "--kafka-bootstrap", "k:9092"))
        .hasMessageContaining("give either --libvirt id=uri[,id=uri...] (live hosts) or --traces");
    assertThatThrownBy(
            () -> run("collect", "--kafka-bootstrap", "k", "--libvirt", "a=x", "--traces", "d"))
        .hasMessageContaining("not both or neither");
    assertThatThrownBy(
            () ->
                run(
                    "collect",
                    "--kafka-bootstrap",
                    "k",
                    "--libvirt",
                    "a=x",
                    "--conntrack-command",
                    "conntrack -L"))
        .hasMessageContaining("--conntrack-command needs --vm-addresses FILE");
    assertThatThrownBy(
            () ->
                run(
                    "collect",
                    "--kafka-bootstrap",
                    "k",
                    "--libvirt",
                    "a=x",
                    "--flows-topic",
                    "vm-flows"))
        .hasMessageContaining("flow records need both --vm-addresses");
    assertThatThrownBy(() -> run("collect", "--traces", "d"))
        .hasMessage("collect: --kafka-bootstrap is required");
    assertThatThrownBy(() -> run("collect", "--kafka-bootstrap", "k", "--libvirt", "qemu:///x"))
        .hasMessageContaining("--libvirt entry 'qemu:///x' is not id=uri");
    assertThatThrownBy(() -> run("collect", "--kafka-bootstrap", "k", "--libvirt", "a=x,a=y"))
        .hasMessageContaining("names host a twice");
    assertThatThrownBy(
            () ->
                run(
                    "collect",
                    "--kafka-bootstrap",
                    "k",
                    "--libvirt",
                    "a=x",
                    "--cpu-speed-factors",
                    "a=0"))
        .hasMessageContaining(
            "collect: --cpu-speed-factors: CPU speed factor of host 'a' must be a number > 0");
    assertThatThrownBy(
            () -> run("collect", "--kafka-bootstrap", "k", "--libvirt", "a=x", "--interval", "5x"))
        .hasMessage("option --interval needs a duration like 30s, 5m or 1h, got '5x'");
    assertThatThrownBy(
            () -> run("collect", "--kafka-bootstrap", "k", "--libvirt", "a=x", "--interval", "0s"))
        .hasMessageContaining("--interval must be > 0");
    assertThatThrownBy(
            () ->
                run(
                    "collect",
                    "--kafka-bootstrap",
                    "k",
                    "--traces",
                    work.toString(),
                    "--work",
                    work.toString()))
        .hasMessageContaining("has no fleet.csv");
    assertThatThrownBy(
            () ->
                run(
                    "collect",
                    "--kafka-bootstrap",
                    "no-such-host.invalid:9092",
                    "--traces",
                    "../data/bitbrains-demo",
                    "--work",
                    work.toString()))
        .hasMessageContaining(
            "cannot create a Kafka producer for no-such-host.invalid:9092: No resolvable bootstrap");
  }

  private static String run(String... args) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = Vmdna.run(args, new PrintStream(buf, true, StandardCharsets.UTF_8), System.err);
    assertThat(code).isZero();
    return buf.toString(StandardCharsets.UTF_8);
  }

  private static List<ConsumerRecord<String, byte[]>> consume(String topic, int expected) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<String, byte[]>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "check-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(300)).forEach(out::add);
      }
      // anything beyond what was expected would show up within another poll
      consumer.poll(Duration.ofMillis(500)).forEach(out::add);
    }
    return out;
  }
}
