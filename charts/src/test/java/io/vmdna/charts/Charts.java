package io.vmdna.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Test support: lint and render a chart with helm-java (Helm's own Go code, no helm binary) and
 * read the manifests.
 */
final class Charts {
  static final ObjectMapper JSON = JsonMapper.builder().build();

  /** Names of credentials: with password or secret, or ending in token(s) (not TOKEN_URL). */
  private static final Pattern SECRETISH = Pattern.compile("(?i).*(PASSWORD|SECRET).*|.*TOKENS?$");

  private Charts() {}

  /** Lints strictly (with the chart's default values) and fails with Helm's messages. */
  static void lintStrictly(Path chart) {
    LintResult r = new Helm(chart).lint().strict().call();
    assertThat(r.isFailed()).as(String.join("\n", r.getMessages())).isFalse();
  }

  /** Renders as release "prod" with an optional values file and --set pairs. */
  static Rendered render(Path chart, Path valuesFile, String... sets) {
    TemplateCommand template = new Helm(chart).template().withName("prod");
    if (valuesFile != null) {
      template = template.withValuesFile(valuesFile);
    }
    for (int i = 0; i < sets.length; i += 2) {
      template = template.set(sets[i], sets[i + 1]);
    }
    return new Rendered(parse(template.call()));
  }

  static List<JsonNode> parse(String yaml) {
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser p = new YAMLFactory().createParser(yaml)) {
      var it = JSON.readValues(p, JsonNode.class);
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isEmpty()) {
          docs.add(n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  /** The manifests of one render. */
  record Rendered(List<JsonNode> docs) {
    JsonNode kind(String kind) {
      return docs.stream()
          .filter(d -> d.path("kind").asText().equals(kind))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
    }

    JsonNode named(String kind, String name) {
      return docs.stream()
          .filter(d -> d.path("kind").asText().equals(kind))
          .filter(d -> d.at("/metadata/name").asText().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
    }

    boolean has(String kind) {
      return docs.stream().anyMatch(d -> d.path("kind").asText().equals(kind));
    }

    /**
     * No credential in plain text: no Secret object carries data, and every environment variable
     * whose name says password, secret or token takes its value from a Secret.
     */
    void assertNoSecretInPlainText() {
      assertThat(docs).noneMatch(d -> d.path("kind").asText().equals("Secret"));
      List<JsonNode> envs = new ArrayList<>();
      docs.forEach(d -> envs.addAll(d.findParents("name")));
      for (JsonNode e : envs) {
        String name = e.path("name").asText();
        if (SECRETISH.matcher(name).matches() && (e.has("value") || e.has("valueFrom"))) {
          assertThat(e.has("value")).as(name + " must come from a Secret, not a value").isFalse();
          assertThat(e.at("/valueFrom/secretKeyRef/name").asText()).as(name).isNotBlank();
        }
      }
      docs.stream()
          .filter(d -> d.path("kind").asText().equals("ConfigMap"))
          .forEach(
              cm ->
                  cm.path("data")
                      .fieldNames()
                      .forEachRemaining(
                          k -> assertThat(k).as("ConfigMap key").doesNotMatch(SECRETISH)));
    }
  }
}
