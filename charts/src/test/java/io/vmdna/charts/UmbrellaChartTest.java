package io.vmdna.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * charts/vmdna, the umbrella example: its dependencies resolve from the sibling charts (file://, no
 * chart repository), and with its example values (Camunda's chart, OAuth, TLS) it renders the
 * workers, the FlinkDeployment and the collector, with no credential in plain text.
 */
class UmbrellaChartTest {
  @TempDir Path dir;

  @Test
  void shouldRenderAllThreeChartsFromTheExampleValues() throws IOException {
    // a copy, so `helm dependency update` writes charts/*.tgz there and not into the sources
    for (String chart : List.of("vmdna", "vmdna-workers", "vmdna-flink", "vmdna-collector")) {
      copy(Path.of(chart), dir.resolve(chart));
    }
    Path umbrella = dir.resolve("vmdna");
    new Helm(umbrella).dependency().update().call();
    assertThat(umbrella.resolve("charts")).isNotEmptyDirectory();

    Charts.lintStrictly(umbrella);
    Charts.Rendered r = Charts.render(umbrella, null);

    assertThat(r.named("Deployment", "prod-vmdna-workers")).isNotNull();
    assertThat(r.named("Deployment", "prod-vmdna-collector")).isNotNull();
    assertThat(r.kind("FlinkDeployment").at("/spec/job/args").toString())
        .contains("kafka.kafka.svc:9092", "/etc/vmdna/kafka/kafka.properties");
    assertThat(
            r.named("ConfigMap", "prod-vmdna-workers")
                .at("/data/CAMUNDA_CLIENT_AUTH_TOKENURL")
                .asText())
        .contains("camunda-keycloak");
    r.assertNoSecretInPlainText();
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
