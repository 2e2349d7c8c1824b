package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.intent.IncidentIntent;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.value.IncidentRecordValue;
import io.vmdna.bpmn.ProcessContract;
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
    loop.client
        .newPublishMessageCommand()
        .messageName(ProcessContract.MESSAGE_REQUESTED)
        .correlationKey(id)
        .messageId(id)
        .variables(
            Map.of(
                "migrationId",
                id,
                "vmId",
                vm,
                "hostId",
                loop.fleet.locate(vm).orElseThrow(),
                "signalType",
                "API",
                "reason",
                "test",
                ProcessContract.Vars.OPTIONS,
                "fast"))
        .send()
        .join();

    // then migrate fails at once, and the incident names the variable
    Record<IncidentRecordValue> incident = awaitIncident(id);
    assertThat(incident.getValue().getErrorMessage())
        .contains("vmdna.migrate failed for migration " + id)
        .contains("process variable 'options' must be an object of hypervisor options")
        .contains("was 'fast'")
        .contains("correct the variable in Operate");
    assertThat(failuresOf(incident)).hasSize(1);
  }

  /** A forecast the policy acts on (the host predicted above 80 %), with the VM's cpuP90. */
  private static Map<String, Object> forecast(Object cpuP90) {
    return Map.of(
        "horizonS", 1800,
        "cpuP50", 800.0,
        "cpuP90", cpuP90,
        "pExceed", 0.95,
        "memP90", 1_000_000.0,
        "netP90", 10.0,
        "hostDemandP90Mhz", 45_000.0,
        "hostCapacityMhz", 48_000.0);
  }

  private static void publishForecast(String id, String vm, Map<String, Object> forecast) {
    loop.client
        .newPublishMessageCommand()
        .messageName(ProcessContract.MESSAGE_FORECAST)
        .correlationKey(vm)
        .messageId(id)
        .timeToLive(ProcessContract.FORECAST_TTL)
        .variables(
            Map.ofEntries(
                Map.entry("signalTime", Instant.now().toString()),
                Map.entry("migrationId", id),
                Map.entry("vmId", vm),
                Map.entry("hostId", loop.fleet.locate(vm).orElseThrow()),
                Map.entry("signalType", "FORECAST"),
                Map.entry("windowEnd", 0),
                Map.entry("forecast", forecast),
                Map.entry("anomaly", Map.of("score", 0.0, "detectors", List.of())),
                Map.entry("reason", "test " + id)))
        .send()
        .join();
  }

  private static Record<IncidentRecordValue> awaitIncident(String id) {
    await()
        .atMost(EmbeddedLoop.WAIT)
        .until(() -> !loop.instancesOf(id).isEmpty() && !incidents(id).isEmpty());
    return incidents(id).getFirst();
  }

  private static List<Record<IncidentRecordValue>> incidents(String id) {
    long instance = loop.instancesOf(id).getFirst();
    return EmbeddedLoop.retrying(
        () ->
            EmbeddedLoop.stream(loop.records().incidentRecords())
                .filter(r -> r.getIntent() == IncidentIntent.CREATED)
                .filter(r -> r.getValue().getProcessInstanceKey() == instance)
                .toList());
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
