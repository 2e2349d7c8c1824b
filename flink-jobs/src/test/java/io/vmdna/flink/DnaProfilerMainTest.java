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
              "trend"
            });
    assertThat(s.kafkaProperties()).containsEntry("security.protocol", "SSL");
    assertThat(s.config().forecastModel()).isEqualTo("trend");
  }

  @Test
  void shouldNameTheOptionThatIsWrong() {
    assertThatThrownBy(() -> DnaProfilerMain.parse(new String[] {"--kafka", "x"}))
        .hasMessageStartingWith("unknown option --kafka; known:");
    assertThatThrownBy(() -> DnaProfilerMain.parse(new String[] {"--hosts"}))
        .hasMessage("option --hosts needs a value");
    assertThatThrownBy(() -> DnaProfilerMain.parse(new String[] {"--hosts", "h.csv"}))
        .hasMessage("option --kafka-bootstrap is required");
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
