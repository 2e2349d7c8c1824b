package io.vmdna.hypervisor.api;

import io.vmdna.models.VmSample;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How fast each host's CPU cores are against a reference core, so that MHz from different hosts,
 * CPU generations and hypervisors compare: a nominal MHz on a host with factor {@code f} counts as
 * {@code f} reference MHz. A VM that needs 3,000 MHz on a host with factor 1.5 needs 4,500 MHz of a
 * host with factor 1.0; its DNA, computed in reference MHz, is the same on both.
 *
 * <p>The translation modules report nominal MHz (vCPUs or cores × the CPU's clock: libvirt's node
 * info, oVirt's {@code cpu.speed}); {@link #applyTo(Hypervisor)} and {@link
 * #applyTo(SampleFeedFactory)} turn every CPU figure of a hypervisor or a sample feed into
 * reference MHz (CPU capacity, use and trend of hosts; provisioned MHz of VMs; provisioned and used
 * MHz of samples). Percentages stay as they are: they are shares of the VM's own vCPUs. Where
 * factors come from is the operator's choice (a benchmark score per CPU model divided by the
 * reference's, e.g. SPECrate or a sysbench run); a host without one counts as 1.0.
 *
 * <p>Immutable, serialisable (it travels with a Flink source) and thread-safe.
 *
 * @param factors host id → factor, each finite and > 0
 */
public record CpuSpeedFactors(Map<String, Double> factors) implements Serializable {

  /** Validates and copies. */
  public CpuSpeedFactors {
    for (Map.Entry<String, Double> e : factors.entrySet()) {
      Double f = e.getValue();
      if (f == null || !Double.isFinite(f) || f <= 0) {
        throw new IllegalArgumentException(
            "CPU speed factor of host '%s' must be a number > 0, was %s".formatted(e.getKey(), f));
      }
    }
    factors = Map.copyOf(factors);
  }

  /** Every host counts as a reference host (factor 1.0). */
  public static CpuSpeedFactors none() {
    return new CpuSpeedFactors(Map.of());
  }

  /**
   * Parses {@code host=factor[,host=factor...]} (blank: none).
   *
   * @throws IllegalArgumentException naming the entry that is not {@code host=number > 0}
   */
  public static CpuSpeedFactors parse(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return none();
    }
    for (String entry : text.split(",")) {
      String[] kv = entry.split("=", -1);
      if (kv.length != 2 || kv[0].isBlank()) {
        throw new IllegalArgumentException(
            "CPU speed factors: '%s' is not host=factor (e.g. host-a=1.35)"
                .formatted(entry.strip()));
      }
      double f;
      try {
        f = Double.parseDouble(kv[1].strip());
      } catch (NumberFormatException e) {
        f = Double.NaN;
      }
      if (!Double.isFinite(f) || f <= 0) {
        throw new IllegalArgumentException(
            "CPU speed factor of host '%s' must be a number > 0, was '%s'"
                .formatted(kv[0].strip(), kv[1].strip()));
      }
      if (out.put(kv[0].strip(), f) != null) {
        throw new IllegalArgumentException(
            "CPU speed factors: host '%s' is given twice".formatted(kv[0].strip()));
      }
    }
    return new CpuSpeedFactors(out);
  }

  /** The factor of a host; 1.0 for a host without one (or an unknown host, null). */
  public double of(String hostId) {
    return hostId == null ? 1.0 : factors.getOrDefault(hostId, 1.0);
  }

  /** The host with its CPU capacity, use and trend in reference MHz. */
  public HostInfo normalize(HostInfo h) {
    double f = of(h.hostId());
    return f == 1.0
        ? h
        : new HostInfo(
            h.hostId(),
            h.cpuCapacityMhz() * f,
            h.memCapacityKb(),
            h.cpuUsedMhz() * f,
            h.memUsedKb(),
            h.imageFormats(),
            h.online(),
            h.storageFreeBytes(),
            h.cpuTrendMhzPerHour() * f);
  }

  /** The VM with its provisioned CPU in reference MHz of the host it runs on. */
  public VmInfo normalize(VmInfo v) {
    double f = of(v.hostId());
    return f == 1.0
        ? v
        : new VmInfo(
            v.vmId(),
            v.hostId(),
            v.cpuCores(),
            v.cpuProvisionedMhz() * f,
            v.memProvisionedKb(),
            v.image(),
            v.diskBytes());
  }

  /** The sample with its provisioned and used CPU in reference MHz of the host it was taken on. */
  public VmSample normalize(VmSample s) {
    double f = of(s.hostId());
    return f == 1.0
        ? s
        : new VmSample(
            s.vmId(),
            s.hostId(),
            s.timestampS(),
            s.cpuCores(),
            s.cpuProvisionedMhz() * f,
            s.cpuUsageMhz() * f,
            s.cpuUsagePct(),
            s.memProvisionedKb(),
            s.memUsageKb(),
            s.diskReadKbps(),
            s.diskWriteKbps(),
            s.netRxKbps(),
            s.netTxKbps());
  }

  /**
   * The hypervisor as seen in reference MHz: {@link Hypervisor#hosts}, {@link Hypervisor#vms} and
   * {@link Hypervisor#vm} normalised, every other call passed through. Closing the result closes
   * {@code h} when it is {@link AutoCloseable}. The hypervisor itself when there are no factors.
   */
  public Hypervisor applyTo(Hypervisor h) {
    return factors.isEmpty() ? h : new Normalized(h, this);
  }

  /** The feed's samples in reference MHz (the feed itself when there are no factors). */
  public SampleFeedFactory applyTo(SampleFeedFactory feeds) {
    if (factors.isEmpty()) {
      return feeds;
    }
    CpuSpeedFactors self = this;
    return () -> {
      SampleFeed feed = feeds.open();
      return new NormalizedFeed(feed, self);
    };
  }

  private record NormalizedFeed(SampleFeed feed, CpuSpeedFactors factors)
      implements SampleFeed, AutoCloseable {
    @Override
    public List<VmSample> nextStep() {
      return feed.nextStep().stream().map(factors::normalize).toList();
    }

    @Override
    public long remainingSamples() {
      return feed.remainingSamples();
    }

    @Override
    public void close() throws Exception {
      if (feed instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  /** A hypervisor whose CPU figures are in reference MHz. */
  private static final class Normalized extends ForwardingHypervisor {
    private final CpuSpeedFactors factors;

    Normalized(Hypervisor h, CpuSpeedFactors factors) {
      super(h);
      this.factors = factors;
    }

    @Override
    public List<HostInfo> hosts() {
      return delegate().hosts().stream().map(factors::normalize).toList();
    }

    @Override
    public List<VmInfo> vms() {
      return delegate().vms().stream().map(factors::normalize).toList();
    }

    @Override
    public Optional<VmInfo> vm(String vmId) {
      return delegate().vm(vmId).map(factors::normalize);
    }
  }
}
