package io.vmdna.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled migrationPolicy on Camunda's DMN engine, as the simulator evaluates it. */
class PolicyDmnTest {
  private static Map<String, Object> signal(String type, double ratio, double pExceed) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("signalType", type);
    vars.put(
        "forecast",
        Map.of("hostDemandP90Mhz", ratio * 80_000, "hostCapacityMhz", 80_000, "pExceed", pExceed));
    vars.put("anomaly", Map.of("score", 0.9));
    vars.put("signalTime", Instant.now().toString());
    return vars;
  }

  @Test
  void shouldDecideAsTheBundledTable() {
    PolicyDmn dmn = PolicyDmn.bundled();

    PolicyDmn.Outcome migrate = dmn.evaluate(signal("FORECAST", 0.9, 0.7));
    PolicyDmn.Outcome unlikely = dmn.evaluate(signal("FORECAST", 0.9, 0.3));
    PolicyDmn.Outcome anomalyOnly = dmn.evaluate(signal("ANOMALY", 0.75, 0.1));

    assertThat(migrate.migrate()).isTrue();
    assertThat(migrate.priority()).isEqualTo(80);
    assertThat(migrate.reason()).contains("80 %");
    assertThat(unlikely.migrate()).isFalse();
    assertThat(unlikely.decision()).isEqualTo("NONE");
    assertThat(anomalyOnly.reason()).contains("recorded, not acted on");
  }

  @Test
  void shouldRefuseAFileThatIsNotDmnNamingIt(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("policy.dmn"), "<definitions>oops");

    assertThatThrownBy(() -> PolicyDmn.read(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad + " is not a valid DMN file");
    assertThatThrownBy(() -> PolicyDmn.read(dir.resolve("missing.dmn")))
        .hasMessageContaining("cannot read " + dir.resolve("missing.dmn"));
  }

  @Test
  void shouldFailClearlyWhenADecisionLacksItsOutputs(@TempDir Path dir) throws Exception {
    String bundled = BundledPolicy.text();
    Path edited =
        Files.writeString(
            dir.resolve("edited.dmn"), bundled.replace("name=\"priority\"", "name=\"urgency\""));

    assertThatThrownBy(() -> PolicyDmn.read(edited).evaluate(signal("FORECAST", 0.9, 0.7)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must output decision (string) and priority (number)");
  }
}
