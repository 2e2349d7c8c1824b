package io.vmdna.workers;

import io.camunda.client.CamundaClient;
import io.vmdna.bpmn.ProcessContract;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test support: forecast signals as the Flink job publishes them (message variables). */
final class Signals {
  private Signals() {}

  /**
   * A forecast the bundled policy acts on: the VM's host predicted at 45,000 of 48,000 MHz (above
   * 80 %) with pExceed 0.95; the VM needs {@code cpuP90} MHz (any value, to test bad ones) and
   * {@code memP90} KiB.
   */
  static Map<String, Object> overloadedForecast(Object cpuP90, double memP90) {
    return Map.of(
        "horizonS",
        1800,
        "cpuP50",
        cpuP90 instanceof Number n ? n.doubleValue() * 0.8 : 0.0,
        "cpuP90",
        cpuP90,
        "pExceed",
        0.95,
        "memP90",
        memP90,
        "netP90",
        10.0,
        "hostDemandP90Mhz",
        45_000.0,
        "hostCapacityMhz",
        48_000.0);
  }

  /** The variables of a {@code vm-resource-forecast} message sent at {@code sent}. */
  static Map<String, Object> signal(
      String id, String vm, String host, Map<String, Object> forecast, Instant sent) {
    return Map.ofEntries(
        Map.entry("signalTime", sent.toString()),
        Map.entry("migrationId", id),
        Map.entry("vmId", vm),
        Map.entry("hostId", host),
        Map.entry("signalType", "FORECAST"),
        Map.entry("windowEnd", 0),
        Map.entry("forecast", forecast),
        Map.entry("anomaly", Map.of("score", 0.0, "detectors", List.of())),
        Map.entry("dna", Map.of("schemaVersion", 1, "embedding", List.of(1.0, 2.0))),
        Map.entry("reason", "test " + id));
  }

  /** Publishes a forecast signal: correlated by VM, message id {@code id}, the contract's TTL. */
  static void publish(CamundaClient client, String id, Map<String, Object> variables) {
    client
        .newPublishMessageCommand()
        .messageName(ProcessContract.MESSAGE_FORECAST)
        .correlationKey((String) variables.get("vmId"))
        .messageId(id)
        .timeToLive(ProcessContract.FORECAST_TTL)
        .variables(variables)
        .send()
        .join();
  }
}
