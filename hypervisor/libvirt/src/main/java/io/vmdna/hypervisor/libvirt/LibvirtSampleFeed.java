package io.vmdna.hypervisor.libvirt;

import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.SampleFeed;
import io.vmdna.hypervisor.api.SampleFeedFactory;
import io.vmdna.models.VmSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live {@link SampleFeed} over libvirt hosts: each {@link #nextStep()} polls every host once
 * ({@link LibvirtInventory#poll()}), so a source that pulls once per sample interval gets one
 * sample per running VM and interval, tagged with the host it ran on. A host that does not answer
 * is skipped for that step (logged, and named by {@link #unavailableHosts()}), so one dead host
 * never stops the feed. Never exhausted. Thread-safe (steps are serialised).
 */
public final class LibvirtSampleFeed implements SampleFeed, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LibvirtSampleFeed.class);

  private final List<LibvirtInventory> hosts;
  private final Map<String, String> unavailable = new LinkedHashMap<>();

  /**
   * Parses a host list option, {@code id=uri[,id=uri...]}, in order (a URI may hold {@code =}
   * itself, e.g. {@code ?pkipath=...}: the first one splits).
   *
   * @throws IllegalArgumentException naming the entry that is not {@code id=uri}, or the host named
   *     twice
   */
  public static Map<String, String> parseHosts(String spec) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : spec.split(",")) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        throw new IllegalArgumentException(
            "--libvirt entry '" + entry + "' is not id=uri (e.g. host-a=qemu:///system)");
      }
      if (out.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip()) != null) {
        throw new IllegalArgumentException(
            "--libvirt names host " + entry.substring(0, eq) + " twice");
      }
    }
    return out;
  }

  /**
   * A factory of feeds over these hosts, for a stream processor's polling source: serialisable, the
   * connections are made where {@link SampleFeedFactory#open()} runs.
   *
   * @param hosts host id → libvirt URI
   * @param callTimeout the longest one libvirt call may take
   */
  public static SampleFeedFactory factory(Map<String, String> hosts, Duration callTimeout) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a libvirt feed needs at least one host");
    }
    return new Factory(new LinkedHashMap<>(hosts), callTimeout);
  }

  private record Factory(LinkedHashMap<String, String> hosts, Duration callTimeout)
      implements SampleFeedFactory {
    @Override
    public SampleFeed open() {
      List<LibvirtInventory> inventories = new ArrayList<>();
      hosts.forEach(
          (id, uri) ->
              inventories.add(
                  new LibvirtInventory(id, uri, callTimeout, Set.of(ImageFormat.QCOW2))));
      return new LibvirtSampleFeed(inventories);
    }
  }

  /** A feed over these hosts (it closes them when closed). */
  public LibvirtSampleFeed(List<LibvirtInventory> hosts) {
    this.hosts = List.copyOf(hosts);
  }

  @Override
  public synchronized List<VmSample> nextStep() {
    List<VmSample> out = new ArrayList<>();
    unavailable.clear();
    for (LibvirtInventory h : hosts) {
      try {
        out.addAll(h.poll());
      } catch (HypervisorException e) {
        unavailable.put(h.hostId(), e.getMessage());
        LOG.warn("skipping host {} this step: {}", h.hostId(), e.getMessage());
      }
    }
    return out;
  }

  /** Hosts skipped at the last step, with why. */
  public synchronized Map<String, String> unavailableHosts() {
    return Map.copyOf(unavailable);
  }

  /** A live feed has no end. */
  @Override
  public long remainingSamples() {
    return Long.MAX_VALUE;
  }

  /** Closes every host's inventory. Idempotent. */
  @Override
  public void close() {
    hosts.forEach(LibvirtInventory::close);
  }
}
