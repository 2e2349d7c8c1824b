package io.vmdna.models.forecast;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The predictive host view's decision for one host at one moment: should one of its VMs move, and
 * which. The Flink job ({@code HostPressureFunction}) and the what-if simulator both call this, so
 * the simulator replays exactly the rule the streaming job runs.
 *
 * <p>Rule: the host's predicted demand is the sum of its VMs' p90 forecasts ({@link HostDemand});
 * above {@code overloadFraction} of capacity, and with a probability of exceeding it of at least
 * {@code minPExceed}, the VM whose move relieves it best ({@link ReliefPicker}) gives a {@link
 * Kind#FORECAST} verdict. The probability bar keeps the job from signalling overloads the policy
 * would decline (a declined signal still starts the host's signal cooldown, and measured in the
 * what-if simulator that hid real overloads); the policy DMN keeps its own, possibly higher, bar.
 * Otherwise, on a host whose demand is at least {@code anomalyFraction} of capacity, the most
 * anomalous VM with a score of at least {@code anomalyMinScore} gives an {@link Kind#ANOMALY}
 * verdict. Stateless and thread-safe; cooldowns are the caller's.
 *
 * @param overloadFraction demand p90 above this fraction of capacity is a predicted overload, (0,
 *     1]
 * @param anomalyFraction an anomalous VM counts on a host at or above this fraction, (0, 1]
 * @param anomalyMinScore the anomaly score in [0, 1] that counts
 */
public record HostAssessment(
    double overloadFraction, double minPExceed, double anomalyFraction, double anomalyMinScore) {

  /** Why a VM should move. Names match the process contract's signal types. */
  public enum Kind {
    /** The host's predicted demand exceeds its threshold. */
    FORECAST,
    /** An anomalous VM on a host near capacity. */
    ANOMALY
  }

  /**
   * What the host view knows about one VM.
   *
   * @param vmId the VM
   * @param forecast its latest forecast
   * @param memUsageKb its memory use now, KiB (the cost of moving it)
   * @param anomalyScore its anomaly score in [0, 1]
   * @param anomalous whether its baseline flags it
   */
  public record VmView(
      String vmId, Forecast forecast, double memUsageKb, double anomalyScore, boolean anomalous) {}

  /**
   * The decision that a VM should move.
   *
   * @param kind why
   * @param vm the VM to move
   * @param demand the host's predicted demand
   * @param reason a human sentence naming host, demand and VM
   */
  public record Verdict(Kind kind, VmView vm, HostDemand demand, String reason) {}

  /** Validates the fractions. */
  public HostAssessment {
    if (!(overloadFraction > 0 && overloadFraction <= 1)
        || !(anomalyFraction > 0 && anomalyFraction <= 1)
        || !(minPExceed >= 0 && minPExceed <= 1)) {
      throw new IllegalArgumentException(
          "host assessment: need fractions in (0, 1] and minPExceed in [0, 1], were overload %s, anomaly %s, minPExceed %s"
              .formatted(overloadFraction, anomalyFraction, minPExceed));
    }
  }

  /**
   * Assesses one host.
   *
   * @param hostId the host, for the reason
   * @param vms the host's VMs with a current forecast; empty gives no verdict
   * @param capacityMhz the host's CPU capacity, MHz, > 0
   * @return the VM to move and why, or empty when the host is fine
   */
  public Optional<Verdict> assess(String hostId, List<VmView> vms, double capacityMhz) {
    if (vms.isEmpty()) {
      return Optional.empty();
    }
    HostDemand d =
        HostDemand.of(vms.stream().map(VmView::forecast).toList(), capacityMhz, overloadFraction);
    return d.overloaded() && d.pExceed() >= minPExceed
        ? overload(hostId, vms, d)
        : anomaly(hostId, vms, d);
  }

  private Optional<Verdict> overload(String hostId, List<VmView> vms, HostDemand d) {
    List<ReliefPicker.Candidate> candidates =
        vms.stream()
            .map(
                v -> new ReliefPicker.Candidate(v.vmId(), v.forecast().cpuP90Mhz(), v.memUsageKb()))
            .toList();
    return new ReliefPicker()
        .pick(candidates, d.demandP90Mhz() - d.thresholdMhz())
        .map(
            c -> {
              VmView v =
                  vms.stream().filter(x -> x.vmId().equals(c.vmId())).findFirst().orElseThrow();
              String reason =
                  "host %s predicted at %.0f%% of capacity (p90 %.0f of %.0f MHz) in %d min; moving %s (p90 %.0f MHz) relieves it"
                      .formatted(
                          hostId,
                          100 * d.demandP90Mhz() / d.capacityMhz(),
                          d.demandP90Mhz(),
                          d.capacityMhz(),
                          v.forecast().horizonS() / 60,
                          v.vmId(),
                          v.forecast().cpuP90Mhz());
              return new Verdict(Kind.FORECAST, v, d, reason);
            });
  }

  private Optional<Verdict> anomaly(String hostId, List<VmView> vms, HostDemand d) {
    if (d.demandP90Mhz() < anomalyFraction * d.capacityMhz()) {
      return Optional.empty();
    }
    return vms.stream()
        .filter(v -> v.anomalous() && v.anomalyScore() >= anomalyMinScore)
        .max(Comparator.comparingDouble(VmView::anomalyScore).thenComparing(VmView::vmId))
        .map(
            v ->
                new Verdict(
                    Kind.ANOMALY,
                    v,
                    d,
                    "VM %s is anomalous (score %.2f) on host %s at %.0f%% of capacity"
                        .formatted(
                            v.vmId(),
                            v.anomalyScore(),
                            hostId,
                            100 * d.demandP90Mhz() / d.capacityMhz())));
  }
}
