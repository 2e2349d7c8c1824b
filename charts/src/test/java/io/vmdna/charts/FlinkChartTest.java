package io.vmdna.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmdna.flink.HostCapacities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** charts/vmdna-flink: the FlinkDeployment runs DnaProfilerMain with what it needs. */
class FlinkChartTest {
  private static final Path CHART = Path.of("vmdna-flink");
  private static final Path PRODUCTION = Path.of("src/test/resources/flink-production.yaml");

  @TempDir Path dir;

  @Test
  void shouldLintStrictly() {
    Charts.lintStrictly(CHART);
  }

  @Test
  void defaultsShouldRunTheJobWithCheckpointsHaAndSavepointUpgrades() throws Exception {
    Charts.Rendered r = Charts.render(CHART, null);
    JsonNode fd = r.kind("FlinkDeployment");

    assertThat(fd.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
    assertThat(fd.at("/spec/flinkVersion").asText()).isEqualTo("v2_2");
    assertThat(fd.at("/spec/job/entryClass").asText())
        .isEqualTo(io.vmdna.flink.DnaProfilerMain.class.getName());
    assertThat(io.vmdna.flink.DnaProfilerMain.class.getMethod("main", String[].class)).isNotNull();
    assertThat(fd.at("/spec/job/upgradeMode").asText()).isEqualTo("savepoint");
    JsonNode conf = fd.at("/spec/flinkConfiguration");
    assertThat(conf.path("execution.checkpointing.dir").asText()).startsWith("s3://");
    assertThat(conf.path("execution.checkpointing.savepoint-dir").asText()).startsWith("s3://");
    assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
    assertThat(conf.path("high-availability.storageDir").asText()).startsWith("s3://");
    assertThat(fd.at("/spec/podTemplate/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();

    // the args are DnaProfilerMain's options, and the hosts file parses with the job's reader
    Map<String, String> args = options(fd.at("/spec/job/args"));
    assertThat(args)
        .containsEntry("--kafka-bootstrap", "kafka:9092")
        .containsEntry("--kafka-topic", "vm-samples")
        .containsEntry("--hosts", "/etc/vmdna/hosts/hosts.csv")
        .containsEntry("--forecast-model", "/opt/vmdna/models/forecast")
        .doesNotContainKey("--kafka-properties")
        .doesNotContainKey("--store-url");
    Path hosts = Files.writeString(dir.resolve("hosts.csv"), hostsCsv(r));
    assertThat(HostCapacities.read(hosts)).containsExactly(Map.entry("host-a", 83200.0));
    r.assertNoSecretInPlainText();
  }

  @Test
  void productionValuesShouldReachTheJob() throws Exception {
    Charts.Rendered r = Charts.render(CHART, PRODUCTION);
    JsonNode fd = r.kind("FlinkDeployment");
    Map<String, String> args = options(fd.at("/spec/job/args"));

    assertThat(args)
        .containsEntry("--kafka-bootstrap", "kafka-0.kafka:9093,kafka-1.kafka:9093")
        .containsEntry("--kafka-properties", "/etc/vmdna/kafka/kafka.properties");
    assertThat(fd.at("/spec/job/parallelism").asInt()).isEqualTo(8);
    assertThat(fd.at("/spec/jobManager/replicas").asInt()).isEqualTo(2);
    assertThat(fd.at("/spec/flinkConfiguration/taskmanager.numberOfTaskSlots").asText())
        .isEqualTo("4");
    assertThat(fd.at("/spec/flinkConfiguration/state.backend.type").asText()).isEqualTo("rocksdb");
    Path hosts = Files.writeString(dir.resolve("hosts.csv"), hostsCsv(r));
    assertThat(HostCapacities.read(hosts)).containsOnlyKeys("host-a", "host-b");
    List<String> env = fd.at("/spec/podTemplate/spec/containers/0/env").findValuesAsText("name");
    assertThat(env).contains("CAMUNDA_CLIENT_ID", "CAMUNDA_CLIENT_SECRET");
    r.assertNoSecretInPlainText();
  }

  @Test
  void aStoreShouldReachTheJobWithItsPasswordFromASecret() throws Exception {
    Charts.Rendered r =
        Charts.render(
            CHART,
            null,
            "store.url",
            "jdbc:postgresql://db:5432/vmdna",
            "store.passwordSecret.name",
            "vmdna-db");
    JsonNode fd = r.kind("FlinkDeployment");

    assertThat(options(fd.at("/spec/job/args")))
        .containsEntry("--store-url", "jdbc:postgresql://db:5432/vmdna")
        .containsEntry("--store-user", "vmdna");
    JsonNode env = fd.at("/spec/podTemplate/spec/containers/0/env");
    JsonNode password = null;
    for (JsonNode e : env) {
      password = e.path("name").asText().equals("VMDNA_STORE_PASSWORD") ? e : password;
    }
    assertThat(password).isNotNull();
    assertThat(password.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("vmdna-db");
    r.assertNoSecretInPlainText();
    assertThatThrownBy(() -> Charts.render(CHART, null, "store.url", "jdbc:postgresql://db/x"))
        .hasMessageContaining("store.passwordSecret.name is required with store.url");
  }

  @Test
  void shouldNameTheMissingSetting() {
    assertThatThrownBy(() -> Charts.render(CHART, null, "hosts", "null"))
        .hasMessageContaining("hosts: list the hosts the job watches");
    assertThatThrownBy(
            () ->
                Charts.render(
                    CHART, null, "jobManager.replicas", "2", "highAvailability.enabled", "false"))
        .hasMessageContaining("jobManager.replicas > 1 needs highAvailability.enabled");
    assertThatThrownBy(() -> Charts.render(CHART, null, "checkpoints.dir", ""))
        .hasMessageContaining("checkpoints.dir is required");
  }

  static String hostsCsv(Charts.Rendered r) {
    return r.named("ConfigMap", "prod-vmdna-flink-hosts").at("/data/hosts.csv").asText();
  }

  /** {@code --name value} pairs of an args list. */
  static Map<String, String> options(JsonNode args) {
    List<String> a = new ArrayList<>();
    args.forEach(n -> a.add(n.asText()));
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).startsWith("--")) {
        out.put(a.get(i), a.get(i + 1));
        i++;
      }
    }
    return out;
  }
}
