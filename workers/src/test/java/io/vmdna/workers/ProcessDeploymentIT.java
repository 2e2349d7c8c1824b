package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.camunda.zeebe.protocol.record.intent.DecisionIntent;
import io.camunda.zeebe.protocol.record.value.deployment.DecisionRecordValue;
import io.vmdna.bpmn.ProcessContract;
import io.vmdna.bpmn.ProcessContract.EndEvents;
import io.vmdna.store.DeploymentRepository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ops edits to the DMN take effect at once and survive a restart of the workers. */
class ProcessDeploymentIT {
  @TempDir static Path images;
  static EmbeddedLoop loop;

  @BeforeAll
  static void start() {
    loop = EmbeddedLoop.start(images, Map.of(), false);
  }

  @AfterAll
  static void stop() {
    if (loop != null) {
      loop.close();
    }
  }

  private static List<Integer> policyVersions() {
    return EmbeddedLoop.retrying(
        () ->
            EmbeddedLoop.stream(loop.records().records())
                .filter(r -> r.getIntent() == DecisionIntent.CREATED)
                .map(r -> (DecisionRecordValue) r.getValue())
                .filter(v -> v.getDecisionId().equals(ProcessContract.DECISION_POLICY))
                .map(DecisionRecordValue::getVersion)
                .toList());
  }

  private static String requestMigration(String id, String vm) {
    loop.requestMigration(id, vm);
    return loop.awaitEnd(id);
  }

  @Test
  void anOpsEditOfThePolicyShouldTakeEffectAndSurviveARestart() throws IOException {
    // given the workers deployed the bundled policy once and recorded it
    assertThat(policyVersions()).containsExactly(1);
    assertThat(
            new DeploymentRepository(loop.db.dataSource()).checksum(ProcessContract.DMN_RESOURCE))
        .isPresent();

    // when ops deploy an edited policy that freezes API migrations
    String edited;
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream(ProcessContract.DMN_RESOURCE)) {
      edited =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace(
                  "<text>\"requested through the API\"</text>",
                  "<text>\"API migrations frozen by ops\"</text>")
              .replace(
                  "<outputEntry id=\"ApiRequestRuleDecision\"><text>\"MIGRATE\"</text></outputEntry>",
                  "<outputEntry id=\"ApiRequestRuleDecision\"><text>\"NONE\"</text></outputEntry>");
    }
    assertThat(edited).contains("frozen by ops");
    loop.client
        .newDeployResourceCommand()
        .addResourceStringUtf8(edited, "migration-policy.dmn")
        .send()
        .join();

    // then it applies to the next instance without a restart
    assertThat(requestMigration("deploy-1", "9")).isEqualTo(EndEvents.NOT_NEEDED);

    // and when the workers restart (if-absent), the bundled policy does not overwrite it
    loop.restartWorkers(Map.of());
    assertThat(policyVersions()).containsExactly(1, 2);
    assertThat(requestMigration("deploy-2", "9")).isEqualTo(EndEvents.NOT_NEEDED);

    // while mode "always" puts the bundled policy back
    loop.restartWorkers(Map.of("vmdna.deploy.mode", "always"));
    assertThat(policyVersions()).containsExactly(1, 2, 3);
    assertThat(requestMigration("deploy-3", "9")).isEqualTo(EndEvents.MIGRATED);

    // and "never" deploys nothing
    loop.restartWorkers(Map.of("vmdna.deploy.mode", "never"));
    assertThat(policyVersions()).containsExactly(1, 2, 3);
  }
}
