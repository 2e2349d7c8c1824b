package io.vmdna.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** charts/vmdna-collector: one collector running ./vmdna collect against the listed hosts. */
class CollectorChartTest {
  private static final Path CHART = Path.of("vmdna-collector");

  @Test
  void shouldLintStrictly() {
    Charts.lintStrictly(CHART);
  }

  @Test
  void shouldRunOneCollectorWithTheHostsAndSecrets() {
    Charts.Rendered r =
        Charts.render(
            CHART,
            null,
            "libvirt.hosts[0].id",
            "a",
            "libvirt.hosts[0].uri",
            "qemu+tls://a/system?pkipath=/etc/vmdna/libvirt-pki",
            "libvirt.hosts[1].id",
            "b",
            "libvirt.hosts[1].uri",
            "qemu+tls://b/system",
            "libvirt.tlsSecret",
            "vmdna-libvirt-tls",
            "kafka.propertiesSecret",
            "vmdna-kafka");
    JsonNode d = r.kind("Deployment");
    JsonNode c = d.at("/spec/template/spec/containers/0");

    assertThat(d.at("/spec/replicas").asInt()).as("two would publish duplicates").isEqualTo(1);
    assertThat(d.at("/spec/strategy/type").asText()).isEqualTo("Recreate");
    assertThat(c.at("/args/0").asText()).isEqualTo("collect");
    Map<String, String> args = FlinkChartTest.options(c.path("args"));
    assertThat(args)
        .containsEntry(
            "--libvirt",
            "a=qemu+tls://a/system?pkipath=/etc/vmdna/libvirt-pki,b=qemu+tls://b/system")
        .containsEntry("--kafka-bootstrap", "kafka:9092")
        .containsEntry("--topic", "vm-samples")
        .containsEntry("--interval", "5m")
        .containsEntry("--kafka-properties", "/etc/vmdna/kafka/kafka.properties");
    assertThat(c.path("volumeMounts").findValuesAsText("mountPath"))
        .contains("/etc/vmdna/libvirt-pki", "/etc/vmdna/kafka");
    assertThat(d.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
    r.assertNoSecretInPlainText();
  }

  @Test
  void shouldRefuseAnEmptyHostList() {
    assertThatThrownBy(() -> Charts.render(CHART, null, "libvirt.hosts", "null"))
        .hasMessageContaining("libvirt.hosts: list at least one host");
  }
}
