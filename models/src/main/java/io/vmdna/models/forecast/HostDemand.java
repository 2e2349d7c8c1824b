package io.vmdna.models.forecast;

import io.vmdna.models.dna.Stats;
import java.util.Collection;

/**
 * Predicted CPU demand of one host: the sum of its VMs' forecasts, against its capacity.
 *
 * <p>{@code demandP90Mhz} is the sum of the VMs' p90s (a conservative bound, as DESIGN.md asks).
 * {@code pExceed} is the probability that the host's demand exceeds {@code thresholdMhz}, with the
 * VMs taken as independent normals (mean Σ p50, variance Σ σ²).
 *
 * @param demandP50Mhz Σ VM p50, MHz
 * @param demandP90Mhz Σ VM p90, MHz
 * @param capacityMhz the host's CPU capacity, MHz
 * @param thresholdMhz the demand above which the host counts as overloaded-to-be, MHz
 * @param pExceed probability that demand exceeds {@code thresholdMhz} at the horizon
 */
public record HostDemand(
    double demandP50Mhz,
    double demandP90Mhz,
    double capacityMhz,
    double thresholdMhz,
    double pExceed) {

  /**
   * Sums the forecasts of a host's VMs.
   *
   * @param forecasts the latest forecast of every VM on the host
   * @param capacityMhz host CPU capacity, MHz, > 0
   * @param thresholdFraction fraction of capacity that counts as overload, (0, 1]
   */
  public static HostDemand of(
      Collection<Forecast> forecasts, double capacityMhz, double thresholdFraction) {
    if (!(capacityMhz > 0)) {
      throw new IllegalArgumentException("host capacity must be > 0 MHz, was " + capacityMhz);
    }
    if (!(thresholdFraction > 0 && thresholdFraction <= 1)) {
      throw new IllegalArgumentException(
          "threshold fraction must be in (0, 1], was " + thresholdFraction);
    }
    double p50 = 0;
    double p90 = 0;
    double var = 0;
    for (Forecast f : forecasts) {
      p50 += f.cpuP50Mhz();
      p90 += f.cpuP90Mhz();
      var += f.cpuSigmaMhz() * f.cpuSigmaMhz();
    }
    double threshold = thresholdFraction * capacityMhz;
    double sigma = Math.sqrt(Math.max(var, 1e-12));
    double pExceed = 1 - Stats.normalCdf((threshold - p50) / sigma);
    return new HostDemand(p50, p90, capacityMhz, threshold, pExceed);
  }

  /** Whether the p90 demand is above the threshold. */
  public boolean overloaded() {
    return demandP90Mhz > thresholdMhz;
  }
}
