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
    double netP90Kbps) {}
