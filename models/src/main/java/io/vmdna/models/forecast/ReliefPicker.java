package io.vmdna.models.forecast;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Picks the VM whose move relieves an overloaded host best.
 *
 * <p>Rule: among the VMs whose p90 CPU alone covers the host's excess (demand p90 − threshold), the
 * one with the least memory (cheapest to move; ties by smaller p90, then id); if none covers it,
 * the one with the largest p90 CPU (the biggest relief one move can give). Stateless and
 * thread-safe.
 */
public final class ReliefPicker {

  /**
   * A VM that could be moved.
   *
   * @param vmId VM id
   * @param cpuP90Mhz its p90 CPU forecast, MHz
   * @param memKb its memory footprint, KiB (migration cost proxy)
   */
  public record Candidate(String vmId, double cpuP90Mhz, double memKb) {}

  /**
   * Picks the VM to move.
   *
   * @param candidates the host's VMs
   * @param excessMhz demand p90 minus the threshold, MHz
   * @return the chosen VM, empty when there are no candidates
   */
  public Optional<Candidate> pick(List<Candidate> candidates, double excessMhz) {
    Optional<Candidate> covering =
        candidates.stream()
            .filter(c -> c.cpuP90Mhz() >= excessMhz)
            .min(
                Comparator.comparingDouble(Candidate::memKb)
                    .thenComparingDouble(Candidate::cpuP90Mhz)
                    .thenComparing(Candidate::vmId));
    if (covering.isPresent()) {
      return covering;
    }
    return candidates.stream()
        .max(
            Comparator.comparingDouble(Candidate::cpuP90Mhz)
                .thenComparing(Candidate::vmId, Comparator.reverseOrder()));
  }
}
