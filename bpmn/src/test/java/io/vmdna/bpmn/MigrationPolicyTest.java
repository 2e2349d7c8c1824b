package io.vmdna.bpmn;

import static org.assertj.core.api.Assertions.assertThat;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.EvaluateDecisionResponse;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.process.test.engine.EngineFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bundled migrationPolicy DMN, evaluated by a real Zeebe engine. */
class MigrationPolicyTest {
  static ZeebeTestEngine engine;
  static CamundaClient client;

  @BeforeAll
  static void start() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    engine = EngineFactory.create(port);
    engine.start();
    client =
        CamundaClient.newClientBuilder()
            .grpcAddress(URI.create("http://localhost:" + port))
            .preferRestOverGrpc(false)
            .build();
    client
        .newDeployResourceCommand()
        .addResourceFromClasspath(ProcessContract.DMN_RESOURCE)
        .send()
        .join();
  }

  private static EvaluateDecisionResponse evaluatePolicy(Map<String, Object> vars) {
    return client
        .newEvaluateDecisionCommand()
        .decisionId(ProcessContract.DECISION_POLICY)
        .variables(vars)
        .send()
        .join();
  }

  @AfterAll
  static void stop() {
    client.close();
    engine.stop();
  }

  @ParameterizedTest(name = "{0} ratio {1} pExceed {2} anomaly {3} -> {4}")
  @CsvSource({
    "FORECAST, 0.95, 0.9, 0.0, MIGRATE, 80",
    "FORECAST, 0.80, 0.5, 0.0, MIGRATE, 80",
    "FORECAST, 0.79, 0.9, 0.0, NONE, 0",
    "FORECAST, 0.95, 0.3, 0.0, NONE, 0",
    "ANOMALY, 0.75, 0.3, 0.9, MIGRATE, 60",
    "ANOMALY, 0.75, 0.1, 0.9, NONE, 0",
    "ANOMALY, 0.60, 0.3, 0.9, NONE, 0",
    "ANOMALY, 0.75, 0.3, 0.5, NONE, 0",
    "API, 0.0, 0.0, 0.0, MIGRATE, 50",
  })
  void shouldDecideByThePolicyTable(
      String type, double ratio, double pExceed, double score, String decision, int priority) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("signalType", type);
    vars.put(
        "forecast",
        Map.of("hostDemandP90Mhz", ratio * 40_000, "hostCapacityMhz", 40_000, "pExceed", pExceed));
    vars.put("anomaly", Map.of("score", score));

    EvaluateDecisionResponse r = evaluatePolicy(vars);

    assertThat(r.getFailureMessage()).isNullOrEmpty();
    assertThat(r.getDecisionOutput())
        .contains("\"decision\":\"" + decision + "\"")
        .contains("\"priority\":" + priority)
        .contains("\"reason\":\"");
  }

  @ParameterizedTest(name = "signal {0} s old -> {1}")
  @CsvSource({"10, MIGRATE", "290, MIGRATE", "310, NONE", "3600, NONE"})
  void shouldDeclineSignalsOlderThanThePolicyAllows(long ageS, String decision) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("signalType", "API");
    vars.put("signalTime", java.time.Instant.now().minusSeconds(ageS).toString());

    EvaluateDecisionResponse r = evaluatePolicy(vars);

    assertThat(r.getFailureMessage()).isNullOrEmpty();
    assertThat(r.getDecisionOutput()).contains("\"decision\":\"" + decision + "\"");
    if (decision.equals("NONE")) {
      assertThat(r.getDecisionOutput()).contains("signal older than 5 minutes");
    }
  }

  @ParameterizedTest(name = "missing {0}")
  @CsvSource({"forecast", "anomaly"})
  void shouldDecideNoneWhenASignalLacksItsFigures(String missing) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("signalType", "FORECAST");
    vars.put("forecast", Map.of("hostDemandP90Mhz", 1, "hostCapacityMhz", 40_000, "pExceed", 0.1));
    vars.put("anomaly", Map.of("score", 0.1));
    vars.remove(missing);

    EvaluateDecisionResponse r = evaluatePolicy(vars);

    assertThat(r.getDecisionOutput()).contains("\"decision\":\"NONE\"");
  }
}
