package io.vmdna.flink;

import io.vmdna.bpmn.ProcessContract;
import io.vmdna.bpmn.ProcessContract.Vars;
import io.vmdna.models.forecast.Forecast;
import io.vmdna.models.forecast.HostAssessment;
import io.vmdna.models.forecast.HostDemand;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decision of the Flink job that a VM should move; published as {@code vm-resource-forecast}.
 * Field names follow the process contract's signal variables.
 *
 * @param migrationId vm id + window end: the message id and the store's idempotency key
 * @param vmId the VM to move
 * @param hostId the host it should leave
 * @param signalType {@code FORECAST} or {@code ANOMALY}
 * @param windowEndS the step the decision was made at, epoch seconds
 * @param horizonS forecast horizon, seconds
 * @param cpuP50Mhz the VM's median CPU forecast, MHz
 * @param cpuP90Mhz the VM's p90 CPU forecast, MHz
 * @param pExceed probability that the host's demand exceeds its threshold at the horizon
 * @param memP90Kb the VM's p90 memory forecast, KiB
 * @param netP90Kbps the VM's p90 network forecast, KiB/s
 * @param hostDemandP90Mhz Σ p90 of the host's VMs, MHz
 * @param hostCapacityMhz the host's capacity, MHz
 * @param anomalyScore the VM's anomaly score
 * @param detectors the detectors that fired
 * @param dnaSchemaVersion the DNA's schema
 * @param embedding the DNA's embedding (schema 2: 16 numbers; schema 1: the raw features)
 * @param reason a human sentence
 */
public record MigrationSignal(
    String migrationId,
    String vmId,
    String hostId,
    String signalType,
    long windowEndS,
    long horizonS,
    double cpuP50Mhz,
    double cpuP90Mhz,
    double pExceed,
    double memP90Kb,
    double netP90Kbps,
    double hostDemandP90Mhz,
    double hostCapacityMhz,
    double anomalyScore,
    List<String> detectors,
    int dnaSchemaVersion,
    List<Double> embedding,
    String reason) {

  /**
   * The signal for a host view's verdict ({@link HostAssessment}): the Flink job publishes these,
   * and the what-if simulator feeds the same variables to the policy.
   *
   * @param v the verdict
   * @param hostId the host the VM should leave
   * @param nowS the step the decision was made at, epoch seconds
   * @param dna the VM's DNA at that step
   * @param detectors what flagged the VM as anomalous ({@code detector@feature}); carried by
   *     anomaly signals only
   */
  public static MigrationSignal of(
      HostAssessment.Verdict v, String hostId, long nowS, VmDna dna, List<String> detectors) {
    boolean anomaly = v.kind() == HostAssessment.Kind.ANOMALY;
    Forecast f = v.vm().forecast();
    HostDemand d = v.demand();
    return new MigrationSignal(
        ProcessContract.migrationId(v.vm().vmId(), nowS),
        v.vm().vmId(),
        hostId,
        anomaly ? ProcessContract.SignalTypes.ANOMALY : ProcessContract.SignalTypes.FORECAST,
        nowS,
        f.horizonS(),
        f.cpuP50Mhz(),
        f.cpuP90Mhz(),
        d.pExceed(),
        f.memP90Kb(),
        f.netP90Kbps(),
        d.demandP90Mhz(),
        d.capacityMhz(),
        v.vm().anomalyScore(),
        anomaly ? List.copyOf(detectors) : List.of(),
        dna.schemaVersion(),
        dna.embedding(),
        v.reason());
  }

  /** The message variables, as the process contract names them. */
  public Map<String, Object> variables() {
    Map<String, Object> forecast = new LinkedHashMap<>();
    forecast.put("horizonS", horizonS);
    forecast.put("cpuP50", cpuP50Mhz);
    forecast.put("cpuP90", cpuP90Mhz);
    forecast.put("pExceed", pExceed);
    forecast.put("memP90", memP90Kb);
    forecast.put("netP90", netP90Kbps);
    forecast.put("hostDemandP90Mhz", hostDemandP90Mhz);
    forecast.put("hostCapacityMhz", hostCapacityMhz);
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put(Vars.MIGRATION_ID, migrationId);
    vars.put(Vars.VM_ID, vmId);
    vars.put(Vars.HOST_ID, hostId);
    vars.put(Vars.SIGNAL_TYPE, signalType);
    vars.put(Vars.WINDOW_END, windowEndS);
    vars.put(Vars.FORECAST, forecast);
    vars.put(Vars.ANOMALY, Map.of("score", anomalyScore, "detectors", detectors));
    vars.put(Vars.DNA, Map.of("schemaVersion", dnaSchemaVersion, "embedding", embedding));
    vars.put(Vars.REASON, reason);
    return vars;
  }
}
