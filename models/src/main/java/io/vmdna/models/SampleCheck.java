package io.vmdna.models;

import java.util.Optional;
import java.util.Set;

/**
 * Checks a {@link VmSample} before it enters the profiler: a sample that would poison a baseline or
 * a forecast is rejected with the reason, never "repaired". Immutable; thread-safe.
 *
 * @param knownVms the VMs of the fleet; empty means every VM is accepted
 * @param maxLeadS how far ahead of the newest accepted time a timestamp may be, seconds
 */
public record SampleCheck(Set<String> knownVms, long maxLeadS) implements java.io.Serializable {

  /** Why a sample was rejected. */
  public enum Reason {
    /** No VM id. */
    MISSING_VM,
    /** No host id. */
    MISSING_HOST,
    /** A metric is NaN or infinite. */
    NOT_A_NUMBER,
    /** A metric is negative. */
    NEGATIVE,
    /** A VM not in the fleet. */
    UNKNOWN_VM,
    /** A timestamp further ahead than {@code maxLeadS}. */
    FUTURE_TIMESTAMP
  }

  /**
   * A rejection.
   *
   * @param reason why
   * @param detail what was wrong, naming the field and value
   */
  public record Problem(Reason reason, String detail) {}

  /** Copies and validates. */
  public SampleCheck {
    knownVms = Set.copyOf(knownVms);
    if (maxLeadS <= 0) {
      throw new IllegalArgumentException("maxLeadS must be > 0, was " + maxLeadS);
    }
  }

  /**
   * Checks a sample.
   *
   * @param s the sample
   * @param newestS the newest accepted timestamp so far (epoch seconds), or {@code Long.MIN_VALUE}
   * @return the first problem found, or empty when the sample is fine
   */
  public Optional<Problem> check(VmSample s, long newestS) {
    if (s.vmId() == null || s.vmId().isBlank()) {
      return Optional.of(
          new Problem(Reason.MISSING_VM, "sample at " + s.timestampS() + " has no VM id"));
    }
    if (s.hostId() == null || s.hostId().isBlank()) {
      return Optional.of(
          new Problem(
              Reason.MISSING_HOST,
              "VM %s at %d has no host id".formatted(s.vmId(), s.timestampS())));
    }
    String[] names = {
      "cpuProvisionedMhz",
      "cpuUsageMhz",
      "cpuUsagePct",
      "memProvisionedKb",
      "memUsageKb",
      "diskReadKbps",
      "diskWriteKbps",
      "netRxKbps",
      "netTxKbps"
    };
    double[] values = {
      s.cpuProvisionedMhz(),
      s.cpuUsageMhz(),
      s.cpuUsagePct(),
      s.memProvisionedKb(),
      s.memUsageKb(),
      s.diskReadKbps(),
      s.diskWriteKbps(),
      s.netRxKbps(),
      s.netTxKbps()
    };
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        return Optional.of(
            new Problem(
                Reason.NOT_A_NUMBER,
                "VM %s at %d: %s is %s".formatted(s.vmId(), s.timestampS(), names[i], values[i])));
      }
      if (values[i] < 0) {
        return Optional.of(
            new Problem(
                Reason.NEGATIVE,
                "VM %s at %d: %s is negative (%s)"
                    .formatted(s.vmId(), s.timestampS(), names[i], values[i])));
      }
    }
    String[] optional = {"majorFaultsPerS", "swapKbps"};
    double[] optionalValues = {s.majorFaultsPerS(), s.swapKbps()};
    for (int i = 0; i < optional.length; i++) {
      double v = optionalValues[i];
      if (Double.isInfinite(v)) {
        return Optional.of(
            new Problem(
                Reason.NOT_A_NUMBER,
                "VM %s at %d: %s is %s".formatted(s.vmId(), s.timestampS(), optional[i], v)));
      }
      if (v < 0) { // NaN is absent, which is fine
        return Optional.of(
            new Problem(
                Reason.NEGATIVE,
                "VM %s at %d: %s is negative (%s)"
                    .formatted(s.vmId(), s.timestampS(), optional[i], v)));
      }
    }
    if (s.cpuCores() < 0) {
      return Optional.of(
          new Problem(
              Reason.NEGATIVE,
              "VM %s at %d: cpuCores is negative (%d)"
                  .formatted(s.vmId(), s.timestampS(), s.cpuCores())));
    }
    if (!knownVms.isEmpty() && !knownVms.contains(s.vmId())) {
      return Optional.of(
          new Problem(Reason.UNKNOWN_VM, "VM %s is not in the fleet".formatted(s.vmId())));
    }
    if (newestS != Long.MIN_VALUE && s.timestampS() > newestS + maxLeadS) {
      return Optional.of(
          new Problem(
              Reason.FUTURE_TIMESTAMP,
              "VM %s: timestamp %d is %d s ahead of the newest accepted %d (at most %d)"
                  .formatted(
                      s.vmId(), s.timestampS(), s.timestampS() - newestS, newestS, maxLeadS)));
    }
    return Optional.empty();
  }
}
