package io.vmdna.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmdna.workers.VmdnaProperties;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;

/** charts/vmdna-workers: lint, defaults, production values, and that the workers read it. */
class WorkersChartTest {
  private static final Path CHART = Path.of("vmdna-workers");
  private static final Path PRODUCTION = Path.of("src/test/resources/workers-production.yaml");

  @Test
  void shouldLintStrictly() {
    Charts.lintStrictly(CHART);
  }

  @Test
  void defaultsShouldProbeActuatorScaleAndBundlePostgres() {
    Charts.Rendered r = Charts.render(CHART, null);
    JsonNode deployment = r.kind("Deployment");
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");

    assertThat(deployment.at("/spec/replicas").isMissingNode())
        .as("the HorizontalPodAutoscaler owns the replica count")
        .isTrue();
    assertThat(deployment.at("/spec/selector/matchLabels"))
        .isEqualTo(deployment.at("/spec/template/metadata/labels"));
    assertThat(container.at("/livenessProbe/httpGet/path").asText())
        .isEqualTo("/actuator/health/liveness");
    assertThat(container.at("/readinessProbe/httpGet/path").asText())
        .isEqualTo("/actuator/health/readiness");
    assertThat(container.at("/resources/requests/memory").asText()).isEqualTo("512Mi");
    assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("1Gi");
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(pod.at("/terminationGracePeriodSeconds").asInt()).isEqualTo(60);
    assertThat(deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();

    JsonNode hpa = r.kind("HorizontalPodAutoscaler");
    assertThat(hpa.at("/spec/scaleTargetRef/name")).isEqualTo(deployment.at("/metadata/name"));
    assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(2);
    JsonNode pdb = r.kind("PodDisruptionBudget");
    assertThat(pdb.at("/spec/selector/matchLabels"))
        .isEqualTo(deployment.at("/spec/selector/matchLabels"));
    JsonNode policy = r.kind("NetworkPolicy");
    assertThat(policy.at("/spec/podSelector/matchLabels"))
        .isEqualTo(deployment.at("/spec/selector/matchLabels"));
    assertThat(policy.at("/spec/egress/0/ports").findValuesAsText("port"))
        .contains("26500", "5432", "16514", "53");
    assertThat(r.named("Service", "prod-vmdna-workers").at("/spec/selector"))
        .isEqualTo(deployment.at("/spec/selector/matchLabels"));
    assertThat(r.has("ServiceMonitor")).isFalse();

    // the bundled PostgreSQL, found by the workers through its service
    JsonNode db = r.kind("StatefulSet");
    assertThat(db.at("/metadata/name").asText()).isEqualTo("prod-postgresql");
    assertThat(r.kind("ConfigMap").at("/data/VMDNA_STORE_JDBCURL").asText())
        .isEqualTo("jdbc:postgresql://prod-postgresql:5432/vmdna");
    assertThat(
            db.at("/spec/template/spec/containers/0/env").findParents("name").stream()
                .filter(e -> e.path("name").asText().equals("POSTGRES_PASSWORD"))
                .map(e -> e.at("/valueFrom/secretKeyRef/name").asText()))
        .containsExactly("vmdna-store");

    r.assertNoSecretInPlainText();
  }

  @Test
  void productionValuesShouldReachTheWorkersSettings() throws Exception {
    Charts.Rendered r = Charts.render(CHART, PRODUCTION);
    JsonNode deployment = r.kind("Deployment");
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode config = r.kind("ConfigMap").path("data");

    assertThat(r.has("StatefulSet")).as("external database").isFalse();
    assertThat(r.kind("ServiceMonitor").at("/spec/endpoints/0/path").asText())
        .isEqualTo("/actuator/prometheus");
    assertThat(r.kind("ServiceMonitor").at("/metadata/labels/release").asText())
        .isEqualTo("prometheus");
    assertThat(r.kind("NetworkPolicy").at("/spec/ingress/0/from/0/namespaceSelector")).isNotEmpty();
    assertThat(mount(pod, "libvirt-pki").path("mountPath").asText())
        .isEqualTo("/etc/vmdna/libvirt-pki");
    assertThat(volume(pod, "libvirt-pki").at("/secret/secretName").asText())
        .isEqualTo("vmdna-libvirt-tls");
    assertThat(volume(pod, "images").at("/persistentVolumeClaim/claimName").asText())
        .isEqualTo("vmdna-images");
    assertThat(volume(pod, "api-tokens").at("/secret/secretName").asText())
        .isEqualTo("vmdna-api-tokens");
    r.assertNoSecretInPlainText();

    // what the workers see: the ConfigMap's env entries and application.yaml, bound by Spring
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources().addFirst(envSource(config));
    new YamlPropertySourceLoader()
        .load("chart", new ByteArrayResource(config.path("application.yaml").asText().getBytes()))
        .forEach(ps -> env.getPropertySources().addLast(ps));
    Binder binder = Binder.get(env);
    VmdnaProperties props = binder.bind("vmdna", VmdnaProperties.class).get();

    assertThat(props.store().jdbcUrl()).isEqualTo("jdbc:postgresql://db.prod.example:5432/vmdna");
    assertThat(props.libvirt().hosts()).hasSize(1);
    assertThat(props.libvirt().hosts().getFirst().uri())
        .isEqualTo("qemu+tls://host-a.example/system?pkipath=/etc/vmdna/libvirt-pki");
    assertThat(props.libvirt().hosts().getFirst().formats()).containsExactly("qcow2");
    assertThat(props.libvirt().imageDir()).isEqualTo("/var/lib/vmdna/images");
    assertThat(props.placementConfig().antiAffinity()).containsKey("db-pair");
    assertThat(props.placementConfig().topology()).containsEntry("host-a", "z1/r1");
    assertThat(props.effectiveRails().maxTotal()).isEqualTo(10);
    assertThat(props.api().migrationsPerMinute()).isEqualTo(60);
    assertThat(props.deployMode().name()).isEqualTo("IF_ABSENT");
    assertThat(binder.bind("camunda.client.auth.client-id", String.class).get())
        .isEqualTo("vmdna-workers");
    assertThat(binder.bind("camunda.client.auth.token-url", String.class).get())
        .isEqualTo("https://login.example/oauth/token");
    assertThat(binder.bind("camunda.client.grpc-address", String.class).get())
        .isEqualTo("http://camunda-zeebe-gateway:26500");
    JsonNode secretEnv =
        pod.at("/containers/0/env").findParents("name").stream()
            .filter(e -> e.path("name").asText().equals("CAMUNDA_CLIENT_AUTH_CLIENTSECRET"))
            .findFirst()
            .orElseThrow();
    assertThat(secretEnv.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("vmdna-zeebe");
  }

  @Test
  void anOvirtEngineShouldGetItsPasswordAndCaFromSecrets() throws Exception {
    Charts.Rendered r =
        Charts.render(CHART, null, "ovirt.url", "https://engine.example.com/ovirt-engine/api");
    JsonNode pod = r.kind("Deployment").at("/spec/template/spec");

    assertThat(volume(pod, "ovirt-ca").at("/secret/secretName").asText())
        .isEqualTo("vmdna-ovirt-ca");
    JsonNode password =
        pod.at("/containers/0/env").findParents("name").stream()
            .filter(e -> e.path("name").asText().equals("VMDNA_OVIRT_PASSWORD"))
            .findFirst()
            .orElseThrow();
    assertThat(password.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("vmdna-ovirt");
    r.assertNoSecretInPlainText();

    StandardEnvironment env = new StandardEnvironment();
    new YamlPropertySourceLoader()
        .load(
            "chart",
            new ByteArrayResource(
                r.kind("ConfigMap").at("/data/application.yaml").asText().getBytes()))
        .forEach(ps -> env.getPropertySources().addLast(ps));
    VmdnaProperties props = Binder.get(env).bind("vmdna", VmdnaProperties.class).get();
    assertThat(props.ovirt().url()).isEqualTo("https://engine.example.com/ovirt-engine/api");
    assertThat(props.ovirt().user()).isEqualTo("vmdna@internal");
    assertThat(props.ovirt().caFile())
        .isEqualTo(mount(pod, "ovirt-ca").path("mountPath").asText() + "/ca.pem");
  }

  @Test
  void valuesShouldOverride() {
    Charts.Rendered r =
        Charts.render(
            CHART,
            null,
            "autoscaling.enabled",
            "false",
            "replicaCount",
            "5",
            "zeebe.grpcAddress",
            "http://zeebe:26500");
    assertThat(r.kind("Deployment").at("/spec/replicas").asInt()).isEqualTo(5);
    assertThat(r.has("HorizontalPodAutoscaler")).isFalse();
    assertThat(r.kind("ConfigMap").at("/data/CAMUNDA_CLIENT_GRPCADDRESS").asText())
        .isEqualTo("http://zeebe:26500");
  }

  @Test
  void shouldNameTheMissingSetting() {
    assertThatThrownBy(() -> Charts.render(CHART, null, "postgresql.enabled", "false"))
        .hasMessageContaining("store.jdbcUrl is required when postgresql.enabled is false");
    assertThatThrownBy(() -> Charts.render(CHART, null, "zeebe.auth.enabled", "true"))
        .hasMessageContaining("zeebe.auth.tokenUrl is required with zeebe.auth.enabled");
  }

  private static JsonNode mount(JsonNode pod, String name) {
    return find(pod.at("/containers/0/volumeMounts"), name);
  }

  private static JsonNode volume(JsonNode pod, String name) {
    return find(pod.path("volumes"), name);
  }

  private static JsonNode find(JsonNode list, String name) {
    for (JsonNode n : list) {
      if (n.path("name").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError("no " + name + " in " + list);
  }

  /**
   * The ConfigMap's upper-case keys as the container's environment (envFrom); Spring maps
   * environment names (VMDNA_STORE_JDBCURL) only for sources named like the system environment.
   */
  private static SystemEnvironmentPropertySource envSource(JsonNode data) {
    Map<String, Object> vars = new java.util.LinkedHashMap<>();
    data.fields()
        .forEachRemaining(
            e -> {
              if (e.getKey().equals(e.getKey().toUpperCase())) {
                vars.put(e.getKey(), e.getValue().asText());
              }
            });
    return new SystemEnvironmentPropertySource("configmap-systemEnvironment", vars);
  }
}
