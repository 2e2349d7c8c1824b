package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster entry point's command line and hosts file: defaults and every error named. */
class DnaProfilerMainTest {
  @TempDir Path dir;

  @Test
  void shouldTakeTheDemoFleetFileAndDefaults() {
    DnaProfilerMain.Settings s =
        DnaProfilerMain.parse(
            new String[] {
              "--kafka-bootstrap", "kafka:9092", "--hosts", "../data/bitbrains-demo/fleet.csv"
            });
    assertThat(s.config().hostCapacityMhz())
        .containsOnly(
            java.util.Map.entry("host-a", 36000.0),
            java.util.Map.entry("host-b", 48000.0),
            java.util.Map.entry("host-c", 48000.0));
    assertThat(s.topic()).isEqualTo("vm-samples");
    assertThat(s.group()).isEqualTo("vmdna-profiler");
    assertThat(s.zeebeGrpc()).isEqualTo("http://camunda-zeebe-gateway:26500");
    assertThat(s.config().forecastModel()).isEqualTo(ProfilerConfig.SHIPPED);
    assertThat(s.kafkaProperties()).isEmpty();
  }

  @Test
  void shouldPollLibvirtHostsDirectlyWhenAsked() throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts.csv"), "host,a,1000\n");
    DnaProfilerMain.Settings s =
        DnaProfilerMain.parse(
            new String[] {
              "--libvirt",
              "a=qemu+tls://a/system?pkipath=/etc/pki,b=test:///default",
              "--poll-interval",
              "30s",
              "--hosts",
              hosts.toString()
            });
    assertThat(s.libvirtHosts())
        .containsExactly(
            java.util.Map.entry("a", "qemu+tls://a/system?pkipath=/etc/pki"),
            java.util.Map.entry("b", "test:///default"));
    assertThat(s.pollInterval()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(s.bootstrapServers()).isNull();
    assertThat(DnaProfilerMain.source(s))
        .as("the job polls instead of reading Kafka")
        .isInstanceOf(org.apache.flink.connector.datagen.source.DataGeneratorSource.class);
    DnaProfilerMain.Settings kafka =
        DnaProfilerMain.parse(
            new String[] {"--kafka-bootstrap", "k:9092", "--hosts", hosts.toString()});
    assertThat(DnaProfilerMain.source(kafka))
        .isInstanceOf(org.apache.flink.connector.kafka.source.KafkaSource.class);
  }

  @Test
  void shouldCountCapacitiesInReferenceMhzWithSpeedFactors() throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts.csv"), "host,a,1000\nhost,b,1000\n");

    DnaProfilerMain.Settings s =
        DnaProfilerMain.parse(
            new String[] {
              "--libvirt",
              "a=test:///default",
              "--hosts",
              hosts.toString(),
              "--cpu-speed-factors",
              "a=1.5"
            });

    assertThat(s.config().hostCapacityMhz())
        .containsOnly(java.util.Map.entry("a", 1500.0), java.util.Map.entry("b", 1000.0));
    assertThat(s.speeds().of("a")).isEqualTo(1.5);
    assertThatThrownBy(
            () ->
                DnaProfilerMain.parse(
                    new String[] {
                      "--libvirt",
                      "a=test:///default",
                      "--hosts",
                      hosts.toString(),
                      "--cpu-speed-factors",
                      "a=quick"
                    }))
        .hasMessageContaining("--cpu-speed-factors: CPU speed factor of host 'a'")
        .hasMessageContaining("'quick'");
  }

  @Test
  void shouldReadKafkaPropertiesFromAFile() throws Exception {
    Path props = Files.writeString(dir.resolve("kafka.properties"), "security.protocol=SSL\n");
    Path hosts = Files.writeString(dir.resolve("hosts.csv"), "host,h1,1000\n");
    DnaProfilerMain.Settings s =
        DnaProfilerMain.parse(
            new String[] {
              "--kafka-bootstrap",
              "k:9092",
              "--hosts",
              hosts.toString(),
              "--kafka-properties",
              props.toString(),
              "--forecast-model",
              "trend",
              "--dna-model",
              "none"
            });
    assertThat(s.kafkaProperties()).containsEntry("security.protocol", "SSL");
    assertThat(s.config().forecastModel()).isEqualTo("trend");
    assertThat(s.config().usesDnaModel()).isFalse();
  }

  @Test
  void shouldTakeTheStoreForTheDnaHistoryAndRefuseAnotherUrl() throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts.csv"), "host,h1,1000\n");
    String[] base = {"--kafka-bootstrap", "k:9092", "--hosts", hosts.toString()};

    DnaProfilerMain.Settings none = DnaProfilerMain.parse(base);
    DnaProfilerMain.Settings store =
        DnaProfilerMain.parse(
            java.util.stream.Stream.concat(
                    java.util.Arrays.stream(base),
                    java.util.stream.Stream.of(
                        "--store-url", "jdbc:postgresql://db:5432/vmdna", "--store-user", "flink"))
                .toArray(String[]::new));

    assertThat(none.storeUrl()).isNull();
    assertThat(none.storeUser()).isEqualTo("vmdna");
    assertThat(store.storeUrl()).isEqualTo("jdbc:postgresql://db:5432/vmdna");
    assertThat(store.storeUser()).isEqualTo("flink");
    assertThatThrownBy(
            () ->
                DnaProfilerMain.parse(
                    java.util.stream.Stream.concat(
                            java.util.Arrays.stream(base),
                            java.util.stream.Stream.of("--store-url", "postgres://db/vmdna"))
                        .toArray(String[]::new)))
        .hasMessageContaining("--store-url needs a PostgreSQL JDBC URL")
        .hasMessageContaining("'postgres://db/vmdna'");
    assertThatThrownBy(() -> new DnaHistorySink("db:5432", "u", "p", 10))
        .hasMessageContaining("not a JDBC URL: db:5432");
    assertThatThrownBy(() -> new DnaHistorySink("jdbc:postgresql://db/x", "u", "p", 0))
        .hasMessageContaining("batch size must be >= 1, was 0");
  }

  @Test
  void shouldTakeAFlowsTopicOnlyWithKafka() throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts.csv"), "host,h1,1000\n");
    assertThat(
            DnaProfilerMain.parse(
                    new String[] {
                      "--kafka-bootstrap", "k:9092",
                      "--hosts", hosts.toString(),
                      "--kafka-flows-topic", "vm-flows"
                    })
                .flowsTopic())
        .isEqualTo("vm-flows");
    assertThat(
            DnaProfilerMain.parse(
                    new String[] {"--kafka-bootstrap", "k:9092", "--hosts", hosts.toString()})
                .flowsTopic())
        .isNull();
    assertThatThrownBy(
            () ->
                DnaProfilerMain.parse(
                    new String[] {
                      "--libvirt", "a=test:///default",
                      "--hosts", hosts.toString(),
                      "--kafka-flows-topic", "vm-flows"
                    }))
        .hasMessage("--kafka-flows-topic needs --kafka-bootstrap (flow records come from Kafka)");
  }

  @Test
  void shouldTakeTheAnomalyDetectionChartByDefaultAndRefuseAnUnknownOne() throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts.csv"), "host,h1,1000\n");
    String[] base = {"--kafka-bootstrap", "k:9092", "--hosts", hosts.toString()};

    assertThat(DnaProfilerMain.parse(base).config().anomaly()).isNull();
    String[] ensemble =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(base), java.util.stream.Stream.of("--anomaly", "ensemble"))
            .toArray(String[]::new);
    assertThat(DnaProfilerMain.parse(ensemble).config().anomaly())
        .isEqualTo(io.vmdna.models.anomaly.AnomalyEnsemble.Config.streaming());
    String[] bad =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(base), java.util.stream.Stream.of("--anomaly", "svm"))
            .toArray(String[]::new);
    assertThatThrownBy(() -> DnaProfilerMain.parse(bad))
        .hasMessage("--anomaly: anomaly detection must be 'chart' or 'ensemble', was 'svm'");
  }

  @Test
  void aDnaModelThatCannotBeReadShouldFailTheParseNamingIt() throws Exception {
    Path hosts = dir.resolve("hosts.csv");
    Files.writeString(hosts, "host,a,1000\n");
    Path missing = dir.resolve("missing.json");
    assertThatThrownBy(
            () ->
                DnaProfilerMain.parse(
                    new String[] {
                      "--kafka-bootstrap", "k:9092",
                      "--hosts", hosts.toString(),
                      "--dna-model", missing.toString()
                    }))
        .hasMessageStartingWith("--dna-model: ")
        .hasMessageContaining("cannot read DNA model " + missing);
  }

  @Test
  void shouldNameTheOptionThatIsWrong() {
    assertThatThrownBy(() -> DnaProfilerMain.parse(new String[] {"--kafka", "x"}))
        .hasMessageStartingWith("unknown option --kafka; known:");
    assertThatThrownBy(() -> DnaProfilerMain.parse(new String[] {"--hosts"}))
        .hasMessage("option --hosts needs a value");
    assertThatThrownBy(() -> DnaProfilerMain.parse(new String[] {"--hosts", "h.csv"}))
        .hasMessageStartingWith("give either --kafka-bootstrap");
    assertThatThrownBy(
            () ->
                DnaProfilerMain.parse(
                    new String[] {"--kafka-bootstrap", "k", "--libvirt", "a=x", "--hosts", "h"}))
        .hasMessageContaining("not both or neither");
    assertThatThrownBy(
            () ->
                DnaProfilerMain.parse(new String[] {"--libvirt", "qemu:///system", "--hosts", "h"}))
        .hasMessageContaining("--libvirt entry 'qemu:///system' is not id=uri");
    assertThatThrownBy(
            () ->
                DnaProfilerMain.parse(
                    new String[] {"--libvirt", "a=x", "--poll-interval", "soon", "--hosts", "h"}))
        .hasMessageContaining("--poll-interval needs a duration like 30s, 5m or 1h, got 'soon'");
    assertThatThrownBy(
            () ->
                DnaProfilerMain.parse(
                    new String[] {
                      "--kafka-bootstrap", "k:9092", "--hosts", dir.resolve("none.csv").toString()
                    }))
        .hasMessageContaining("none.csv does not exist");
    assertThatThrownBy(
            () ->
                DnaProfilerMain.parse(
                    new String[] {
                      "--kafka-bootstrap", "k", "--hosts", "x", "--kafka-properties", "/nonexistent"
                    }))
        .hasMessageStartingWith("--kafka-properties: cannot read /nonexistent");
  }

  @Test
  void shouldNameFileAndLineOfABadHostRow() throws Exception {
    assertBadHosts("# hosts\nhost,a,100\nhost,b,lots\n", ":3: cpuMhz 'lots' is not a number");
    assertBadHosts("host,a,100\nhost,a,200\n", ":2: host a listed twice");
    assertBadHosts("host,a,-5\n", ":1: cpuMhz must be > 0, was -5");
    assertBadHosts("host,a\n", ":1: need host,<hostId>,<cpuMhz>, got 'host,a'");
    assertBadHosts("vm,x,a\n", "has no host,<id>,<cpuMhz> rows");
  }

  private void assertBadHosts(String content, String message) throws Exception {
    Path f = Files.writeString(dir.resolve("hosts.csv"), content);
    assertThatThrownBy(() -> HostCapacities.read(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
