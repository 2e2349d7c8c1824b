package io.vmdna.models.forecast;

/**
 * A per-VM resource forecast for one horizon, with its confidence.
 *
 * @param horizonS how far ahead of the window end, seconds
 * @param cpuP50Mhz median CPU demand at the horizon, MHz
 * @param cpuP90Mhz 90th-percentile CPU demand at the horizon, MHz
 * @param cpuSigmaMhz standard deviation of the CPU forecast, MHz (for host-level sums)
 * @param cpuP50Pct median CPU at the horizon, percent of the VM's provisioned CPU
 * @param cpuP90Pct 90th-percentile CPU, percent of provisioned CPU
 * @param pExceed probability that the VM's CPU % exceeds {@code thresholdPct} at the horizon
 * @param thresholdPct the CPU % threshold {@code pExceed} refers to
 * @param memP90Kb 90th-percentile memory use at the horizon, KiB
 * @param netP90Kbps 90th-percentile network throughput at the horizon, KiB/s
 */
public record Forecast(
    long horizonS,
    double cpuP50Mhz,
    double cpuP90Mhz,
    double cpuSigmaMhz,
    double cpuP50Pct,
    double cpuP90Pct,
    double pExceed,
    double thresholdPct,
    double memP90Kb,
    double netP90Kbps) {

  /** z of the 90th percentile of a standard normal. */
  private static final double Z90 = 1.2816;

  /**
   * A forecast from the model's outputs in percent of the VM's provisioned size. σ is that of a
   * normal band with the same p50..p90 spread, for host-level sums ({@link HostDemand}).
   *
   * @param horizonS how far ahead, seconds
   * @param cpuP50Pct median CPU, % of provisioned
   * @param cpuP90Pct 90th-percentile CPU, % of provisioned
   * @param pExceed calibrated probability that CPU % exceeds {@code thresholdPct}
   * @param thresholdPct the threshold of {@code pExceed}, %
   * @param cpuProvisionedMhz the VM's provisioned CPU, MHz
   * @param memP90Pct 90th-percentile memory, % of provisioned
   * @param memProvisionedKb the VM's provisioned memory, KiB
   * @param netP90Kbps 90th-percentile network throughput, KiB/s
   */
  public static Forecast ofPercent(
      long horizonS,
      double cpuP50Pct,
      double cpuP90Pct,
      double pExceed,
      double thresholdPct,
      double cpuProvisionedMhz,
      double memP90Pct,
      double memProvisionedKb,
      double netP90Kbps) {
    double mhz = cpuProvisionedMhz / 100;
    return new Forecast(
        horizonS,
        cpuP50Pct * mhz,
        cpuP90Pct * mhz,
        (cpuP90Pct - cpuP50Pct) * mhz / Z90,
        cpuP50Pct,
        cpuP90Pct,
        pExceed,
        thresholdPct,
        memP90Pct / 100 * memProvisionedKb,
        netP90Kbps);
  }
}
