package io.vmdna.charts;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The plain-text credential check the chart tests rely on does catch credentials. */
class ChartsTest {
  private static Charts.Rendered of(String yaml) {
    return new Charts.Rendered(Charts.parse(yaml));
  }

  @Test
  void shouldCatchAPasswordGivenAsAValue() {
    assertThatThrownBy(
            () ->
                of("""
                    kind: Deployment
                    spec: {template: {spec: {containers: [{env: [
                      {name: DB_PASSWORD, value: hunter2}]}]}}}
                    """)
                    .assertNoSecretInPlainText())
        .hasMessageContaining("DB_PASSWORD must come from a Secret");
  }

  @Test
  void shouldCatchASecretObjectAndASecretishConfigMapKey() {
    assertThatThrownBy(() -> of("kind: Secret\ndata: {a: b}\n").assertNoSecretInPlainText())
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(
            () -> of("kind: ConfigMap\ndata: {API_TOKEN: abc}\n").assertNoSecretInPlainText())
        .hasMessageContaining("ConfigMap key");
  }

  @Test
  void shouldAcceptSecretReferencesAndTokenUrls() {
    assertThatCode(
            () ->
                of("""
                    kind: ConfigMap
                    data: {CAMUNDA_CLIENT_AUTH_TOKENURL: "https://x/token"}
                    ---
                    kind: Deployment
                    spec: {template: {spec: {containers: [{env: [
                      {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: s, key: k}}}]}]}}}
                    """)
                    .assertNoSecretInPlainText())
        .doesNotThrowAnyException();
  }
}
