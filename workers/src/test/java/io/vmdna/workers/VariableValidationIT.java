package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.value.IncidentRecordValue;
import io.vmdna.bpmn.ProcessContract.EndEvents;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process variables the workers cannot use, on the real engines: the job fails with no retries, so
 * an incident appears at once naming the variable and what to do; corrected in the engine (as ops
 * do in Operate) and resolved, the migration goes on.
 */
class VariableValidationIT {
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

  @Test
  void aForecastFieldThatIsNotANumberShouldRaiseAnIncidentNamingItThenGoOnOnceCorrected() {
    // given a signal whose forecast says cpuP90 "lots"
    String vm = "65";
    String id = "var-forecast-" + vm;
    publishForecast(id, vm, forecast("lots"));

    // then scan-hosts fails at once (no retries) naming forecast.cpuP90
    Record<IncidentRecordValue> incident = awaitIncident(id);
    assertThat(incident.getValue().getErrorMessage())
        .contains("vmdna.scan-hosts failed for migration " + id)
        .contains("process variable 'forecast.cpuP90' must be a number >= 0, was 'lots'")
        .contains("correct the variable in Operate");
    assertThat(failuresOf(incident)).as("no retries: one failure").hasSize(1);

    // when an operator corrects the variable and resolves the incident
    loop.client
        .newSetVariablesCommand(incident.getValue().getProcessInstanceKey())
        .variables(Map.of("forecast", forecast(1_000.0)))
        .send()
        .join();
    loop.client.newUpdateRetriesCommand(incident.getValue().getJobKey()).retries(1).send().join();
    loop.client.newResolveIncidentCommand(incident.getKey()).send().join();

    // then the migration goes on
    assertThat(loop.awaitEnd(id)).isEqualTo(EndEvents.MIGRATED);
  }

  @Test
  void aVariableOfTheWrongTypeShouldRaiseAnIncidentNamingIt() {
    // given a request whose options are a text, not a map
    String vm = "96";
    String id = "var-options-" + vm;
    loop.requestMigration(id, vm, "fast");

    // then migrate fails at once, and the incident names the variable
    Record<IncidentRecordValue> incident = awaitIncident(id);
    assertThat(incident.getValue().getErrorMessage())
        .contains("vmdna.migrate failed for migration " + id)
        .contains("process variable 'options' must be an object of hypervisor options")
        .contains("was 'fast'")
        .contains("correct the variable in Operate");
    assertThat(failuresOf(incident)).hasSize(1);
  }

  /** A forecast the policy acts on, with the VM's cpuP90. */
  private static Map<String, Object> forecast(Object cpuP90) {
    return Signals.overloadedForecast(cpuP90, 1_000_000.0);
  }

  @Test
  void aTypedVariableThatCannotBeBoundShouldRaiseAnIncidentNamingIt() {
    // given a request whose reason is an object where scan-hosts reads a text
    String vm = "34";
    String id = "var-reason-" + vm;
    loop.requestMigrationWith(id, vm, Map.of("reason", Map.of("why", "test")));

    // then the incident names the variable and the type it needed
    Record<IncidentRecordValue> incident = awaitIncident(id);
    assertThat(incident.getValue().getErrorMessage())
        .contains("process variable 'reason' cannot be read as String");
  }

  private static void publishForecast(String id, String vm, Map<String, Object> forecast) {
    String host = loop.fleet.locate(vm).orElseThrow();
    Signals.publish(loop.client, id, Signals.signal(id, vm, host, forecast, Instant.now()));
  }

  private static Record<IncidentRecordValue> awaitIncident(String id) {
    await()
        .atMost(EmbeddedLoop.WAIT)
        .until(() -> !loop.instancesOf(id).isEmpty() && !incidents(id).isEmpty());
    return incidents(id).getFirst();
  }

  private static List<Record<IncidentRecordValue>> incidents(String id) {
    return loop.incidents(id);
  }

  private static List<?> failuresOf(Record<IncidentRecordValue> incident) {
    return EmbeddedLoop.retrying(
        () ->
            EmbeddedLoop.stream(loop.records().jobRecords())
                .filter(r -> r.getIntent() == JobIntent.FAILED)
                .filter(r -> r.getKey() == incident.getValue().getJobKey())
                .toList());
  }
}
