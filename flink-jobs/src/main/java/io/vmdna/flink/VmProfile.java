package io.vmdna.flink;

import io.vmdna.models.forecast.Forecast;
import io.vmdna.models.forecast.HostAssessment;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the profiler knows about one VM after one sample: its DNA, baseline verdict and forecast.
 *
 * @param vmId the VM
 * @param hostId the host it ran on in that sample
 * @param windowEndS the sample's timestamp, epoch seconds
 * @param dna the VM's latest DNA (embedding), see {@link VmDna}
 * @param anomalyScore the anomaly score in [0, 1]: the ensemble's, or the control chart's
 * @param anomalous whether the score reached the alarm threshold (the chart: left its limits)
 * @param anomalyDetectors on an alarm, what fired as {@code detector@feature} (e.g. {@code
 *     spike@cpu_pct}), strongest first; empty otherwise
 * @param forecast the VM's forecast at the configured horizon; null while {@code modelInput} waits
 *     for the model's (the profile never leaves the operator chain so)
 * @param memUsageKb current memory use, KiB (migration cost)
 * @param modelInput the feature row for the forecast model, until {@link BatchForecastOperator} has
 *     replaced {@code forecast} with the model's; null otherwise; its row is never written after
 *     the profile is made (the profile is deeply immutable: {@link VmProfileSerializer} hands the
 *     same instance from operator to operator)
 */
@TypeInfo(VmProfileSerializer.Factory.class)
public record VmProfile(
    String vmId,
    String hostId,
    long windowEndS,
    VmDna dna,
    double anomalyScore,
    boolean anomalous,
    List<String> anomalyDetectors,
    Forecast forecast,
    double memUsageKb,
    ModelInput modelInput) {

  /** Copies the detectors. */
  public VmProfile {
    anomalyDetectors = List.copyOf(anomalyDetectors);
  }

  /** This profile with the model's forecast, without the feature row. */
  public VmProfile withForecast(Forecast f) {
    return new VmProfile(
        vmId,
        hostId,
        windowEndS,
        dna,
        anomalyScore,
        anomalous,
        anomalyDetectors,
        f,
        memUsageKb,
        null);
  }

  /** What {@link HostAssessment} weighs of this VM (the host operator and the bench's loop). */
  public HostAssessment.VmView assessmentView() {
    return new HostAssessment.VmView(vmId, forecast, memUsageKb, anomalyScore, anomalous);
  }
}
