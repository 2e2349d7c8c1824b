package io.vmdna.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lints and renders charts/vmdna-workers with helm-java (Helm's own Go code, no helm binary). */
class WorkersChartTest {
  private static final Path CHART = Path.of("vmdna-workers");
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private static List<JsonNode> render(String... sets) throws IOException {
    var template = new Helm(CHART).template().withName("prod");
    for (int i = 0; i < sets.length; i += 2) {
      template = template.set(sets[i], sets[i + 1]);
    }
    String yaml = template.call();
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser p = new YAMLFactory().createParser(yaml)) {
      var it = JSON.readValues(p, JsonNode.class);
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isEmpty()) {
          docs.add(n);
        }
      }
    }
    return docs;
  }

  private static JsonNode kind(List<JsonNode> docs, String kind) {
    return docs.stream()
        .filter(d -> d.path("kind").asText().equals(kind))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldLintStrictly() {
    LintResult r = new Helm(CHART).lint().strict().call();
    assertThat(r.isFailed()).as(String.join("\n", r.getMessages())).isFalse();
  }

  @Test
  void deploymentShouldProbeActuatorAndTakeThePasswordFromASecret() throws IOException {
    List<JsonNode> docs = render();
    JsonNode deployment = kind(docs, "Deployment");
    JsonNode container = deployment.at("/spec/template/spec/containers/0");

    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
    assertThat(deployment.at("/spec/selector/matchLabels"))
        .isEqualTo(deployment.at("/spec/template/metadata/labels"));
    assertThat(container.at("/livenessProbe/httpGet/path").asText())
        .isEqualTo("/actuator/health/liveness");
    assertThat(container.at("/readinessProbe/httpGet/path").asText())
        .isEqualTo("/actuator/health/readiness");
    assertThat(container.at("/resources/requests/memory").asText()).isEqualTo("512Mi");
    assertThat(container.at("/env/0/name").asText()).isEqualTo("VMDNA_STORE_PASSWORD");
    assertThat(container.at("/env/0/valueFrom/secretKeyRef/name").asText())
        .isEqualTo("vmdna-store");
    assertThat(deployment.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean())
        .isTrue();
    assertThat(deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asInt())
        .isEqualTo(60);

    JsonNode config = kind(docs, "ConfigMap");
    assertThat(config.at("/data/CAMUNDA_CLIENT_GRPCADDRESS").asText())
        .isEqualTo("http://camunda-zeebe-gateway:26500");
    assertThat(config.path("data").toString()).doesNotContainIgnoringCase("password");
    assertThat(kind(docs, "Service").at("/spec/selector"))
        .isEqualTo(deployment.at("/spec/selector/matchLabels"));
  }

  @Test
  void valuesShouldOverride() throws IOException {
    List<JsonNode> docs = render("replicaCount", "5", "zeebe.grpcAddress", "http://zeebe:26500");
    assertThat(kind(docs, "Deployment").at("/spec/replicas").asInt()).isEqualTo(5);
    assertThat(kind(docs, "ConfigMap").at("/data/CAMUNDA_CLIENT_GRPCADDRESS").asText())
        .isEqualTo("http://zeebe:26500");
  }
}
