package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.value.IncidentRecordValue;
import io.vmdna.bpmn.ProcessContract.EndEvents;
import io.vmdna.hypervisor.sim.SimFault;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host that stops answering: retries with backoff, an incident that says what to do, then on. */
class TechnicalFailureIT {
  @TempDir static Path images;
  static EmbeddedLoop loop;

  @BeforeAll
  static void start() {
    // No backoff here: the in-process engine's backoff checker can miss its re-arm when a job
    // fails again right after it recurred (the DueDateChecker race behind camunda/camunda#16884),
    // which left this test waiting a minute in about one run of five. The backoff that
    // is configured is the one the FAILED records carry (asserted below).
    loop = EmbeddedLoop.start(images, Map.of("vmdna.jobs.retry-backoff", "PT0S"), false);
  }

  @AfterAll
  static void stop() {
    if (loop != null) {
      loop.close();
    }
  }

  private static List<Record<IncidentRecordValue>> incidents(String id) {
    return loop.incidents(id);
  }

  @Test
  void anUnansweringHostShouldRaiseAnActionableIncidentAndTheMigrationGoOnOnceResolved() {
    // given VM 9's host does not answer
    String vm = "9";
    String source = loop.fleet.locate(vm).orElseThrow();
    String id = "it-unreachable-" + vm;
    loop.fleet.inject(SimFault.HOST_UNREACHABLE, vm);

    // when a migration reaches convert-image
    loop.requestMigration(id, vm);

    // then the job is retried with backoff until an incident says what failed, where, what to do
    await()
        .atMost(EmbeddedLoop.WAIT)
        .until(() -> !loop.instancesOf(id).isEmpty() && !incidents(id).isEmpty());
    Record<IncidentRecordValue> incident = incidents(id).getFirst();
    assertThat(incident.getValue().getErrorMessage())
        .contains("vmdna.convert-image failed for migration " + id)
        .contains("on host " + source + " (convertImage 9)")
        .contains("check that host " + source + " and its hypervisor answer")
        .contains("no retries left");
    List<Record<io.camunda.zeebe.protocol.record.value.JobRecordValue>> failures =
        EmbeddedLoop.retrying(
            () ->
                EmbeddedLoop.stream(loop.records().jobRecords())
                    .filter(r -> r.getIntent() == JobIntent.FAILED)
                    .filter(r -> r.getKey() == incident.getValue().getJobKey())
                    .toList());
    assertThat(failures).hasSize(3);
    assertThat(failures).allMatch(r -> r.getValue().getRetryBackoff() == 0);

    // when the host answers again and an operator resolves the incident
    loop.fleet.clearFaults();
    loop.client.newUpdateRetriesCommand(incident.getValue().getJobKey()).retries(1).send().join();
    loop.client.newResolveIncidentCommand(incident.getKey()).send().join();

    // then the migration completes
    assertThat(loop.awaitEnd(id)).isEqualTo(EndEvents.MIGRATED);
    assertThat(loop.fleet.locate(vm)).isNotEqualTo(java.util.Optional.of(source));
  }
}
