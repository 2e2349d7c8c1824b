package io.vmdna.hypervisor.libvirt;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.HypervisorUnavailableException;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.VmInfo;
import io.vmdna.models.VmSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;
import org.libvirt.MemoryStatistic;
import org.libvirt.NodeInfo;

/**
 * The read side of the libvirt translation module for one host: inventory ({@link #host()}, {@link
 * #vms()}) and metrics ({@link #poll()}), in the compatibility layer's common units. libvirt speaks
 * KiB for memory, nanoseconds of CPU time summed over vCPUs, per-host MHz per CPU, and bytes for
 * block and interface counters; here memory is KiB, CPU is MHz and % of the provisioned vCPUs (CPU
 * time over wall time, × vCPUs × the host's MHz), disk and network are KiB/s.
 *
 * <p>Host memory in use is total − free, or the running domains' allocations where the driver has
 * no free-memory call.
 *
 * <p>Every libvirt call runs on this host's own thread with a timeout, so a daemon that stops
 * answering raises {@link HypervisorUnavailableException} naming the host and operation instead of
 * hanging the caller. Thread-safe (calls are serialised on that thread); {@link #poll()} keeps the
 * previous counters to turn them into rates, so the first poll of a VM gives no sample for it.
 */
public final class LibvirtInventory implements AutoCloseable {
  private static final Pattern DISK_SOURCE =
      Pattern.compile(
          "<disk[^>]*device=['\"]disk['\"][^>]*>.*?<driver[^>]*type=['\"](\\w+)['\"].*?<source[^>]*file=['\"]([^'\"]+)['\"]",
          Pattern.DOTALL);
  private static final Pattern TARGET_DEV = Pattern.compile("<target[^>]*dev=['\"]([^'\"]+)['\"]");

  private final String hostId;
  private final String uri;
  private final Duration timeout;
  private final Set<ImageFormat> formats;
  private final ExecutorService calls;
  private final Map<String, Counters> previous = new HashMap<>();
  private Connect connect;

  /** A domain's counters at one poll. */
  /** A domain's cumulative counters at one poll; -1 where the guest does not report one. */
  private record Counters(
      long atNanos,
      long cpuTimeNs,
      long diskReadBytes,
      long diskWriteBytes,
      long netRxBytes,
      long netTxBytes,
      long swapKb,
      long majorFaults) {

    /** The rate of a counter between two polls, per second; NaN if either poll lacks it. */
    static double rate(long before, long now, double seconds, double unit) {
      return before < 0 || now < 0 ? Double.NaN : Math.max(0, now - before) / unit / seconds;
    }
  }

  /** What one call of the balloon statistics gives; -1 where absent. */
  private record MemoryStats(double usedKb, long swapKb, long majorFaults) {}

  /**
   * @param hostId the host's id in vmdna
   * @param uri the libvirt URI, e.g. {@code qemu+tcp://10.0.0.2/system} or {@code test:///default}
   * @param timeout the longest a libvirt call may take
   * @param formats the disk formats the host runs VMs from, preferred first
   */
  public LibvirtInventory(String hostId, String uri, Duration timeout, Set<ImageFormat> formats) {
    this.hostId = hostId;
    this.uri = uri;
    this.timeout = timeout;
    this.formats = formats;
    this.calls =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "libvirt-" + hostId);
              t.setDaemon(true);
              return t;
            });
  }

  /** The host's id in vmdna. */
  public String hostId() {
    return hostId;
  }

  /**
   * The host: capacity from node info (CPUs × MHz), memory, memory in use (total − free). Not read
   * yet (reported as 0 until the write side needs them): CPU in use (sum the VMs of {@link
   * #poll()}), free storage (the storage pool), the load trend.
   */
  public HostInfo host() {
    return call(
        "nodeInfo",
        () -> {
          NodeInfo n = connection().nodeInfo();
          double memKb = n.memory; // libvirt: KiB
          return new HostInfo(
              hostId, (double) n.cpus * n.mhz, memKb, 0, memoryInUseKb(memKb), formats, true, 0);
        });
  }

  /**
   * Every domain defined on the host, running or not, with its first file-backed disk as the image
   * (null without one). The disk's virtual size is not read yet (0).
   */
  public List<VmInfo> vms() {
    return call(
        "listAllDomains",
        () -> {
          NodeInfo n = connection().nodeInfo();
          List<VmInfo> out = new ArrayList<>();
          for (Domain d : connection().listAllDomains(0)) {
            DomainInfo i = d.getInfo();
            String xml = d.getXMLDesc(0);
            Matcher disk = DISK_SOURCE.matcher(xml);
            ImageRef image =
                disk.find() ? new ImageRef(disk.group(2), format(disk.group(1))) : null;
            out.add(
                new VmInfo(
                    d.getName(),
                    hostId,
                    i.nrVirtCpu,
                    (double) i.nrVirtCpu * n.mhz,
                    i.maxMem, // libvirt: KiB
                    image,
                    0));
          }
          return out;
        });
  }

  /**
   * One sample per running domain seen at the previous poll too: CPU from the CPU-time delta,
   * memory from the balloon statistics (else the current allocation), disk reads and writes and
   * network receive and transmit from the counter deltas of every disk and interface in the
   * domain's XML, and, where the guest's balloon driver reports them, major faults and swap traffic
   * (in plus out) per second from their counters (absent, NaN, otherwise).
   */
  public List<VmSample> poll() {
    return call(
        "poll",
        () -> {
          NodeInfo n = connection().nodeInfo();
          long nowS = System.currentTimeMillis() / 1000;
          List<VmSample> out = new ArrayList<>();
          for (Domain d : connection().listAllDomains(1)) { // VIR_CONNECT_LIST_DOMAINS_ACTIVE
            String name = d.getName();
            DomainInfo i = d.getInfo();
            String xml = d.getXMLDesc(0);
            long diskRd = 0;
            long diskWr = 0;
            long netRx = 0;
            long netTx = 0;
            Matcher dev = TARGET_DEV.matcher(xml);
            while (dev.find()) {
              String target = dev.group(1);
              try {
                var b = d.blockStats(target);
                diskRd += b.rd_bytes;
                diskWr += b.wr_bytes;
              } catch (LibvirtException notADisk) {
                try {
                  var s = d.interfaceStats(target);
                  netRx += s.rx_bytes;
                  netTx += s.tx_bytes;
                } catch (LibvirtException neither) {
                  // a target that is neither a disk nor an interface (e.g. a console)
                }
              }
            }
            MemoryStats mem = memoryStats(d, i);
            Counters now =
                new Counters(
                    System.nanoTime(),
                    i.cpuTime,
                    diskRd,
                    diskWr,
                    netRx,
                    netTx,
                    mem.swapKb(),
                    mem.majorFaults());
            Counters before = previous.put(name, now);
            if (before == null || now.atNanos() <= before.atNanos()) {
              continue;
            }
            double seconds = (now.atNanos() - before.atNanos()) / 1e9;
            double busy = Math.max(0, now.cpuTimeNs() - before.cpuTimeNs()) / 1e9 / seconds;
            double cpuPct = Math.min(100, 100 * busy / Math.max(1, i.nrVirtCpu));
            double provisionedMhz = (double) i.nrVirtCpu * n.mhz;
            out.add(
                new VmSample(
                    name,
                    hostId,
                    nowS,
                    i.nrVirtCpu,
                    provisionedMhz,
                    provisionedMhz * cpuPct / 100,
                    cpuPct,
                    i.maxMem,
                    mem.usedKb(),
                    Counters.rate(before.diskReadBytes(), now.diskReadBytes(), seconds, 1024),
                    Counters.rate(before.diskWriteBytes(), now.diskWriteBytes(), seconds, 1024),
                    Counters.rate(before.netRxBytes(), now.netRxBytes(), seconds, 1024),
                    Counters.rate(before.netTxBytes(), now.netTxBytes(), seconds, 1024),
                    Counters.rate(before.majorFaults(), now.majorFaults(), seconds, 1),
                    Counters.rate(before.swapKb(), now.swapKb(), seconds, 1)));
          }
          return out;
        });
  }

  /**
   * Host memory in use: total − free where the driver reports free memory (bytes), else the sum of
   * the running domains' allocations (the test driver has no free-memory call).
   */
  private double memoryInUseKb(double totalKb) throws LibvirtException {
    try {
      return Math.max(0, totalKb - connection().getFreeMemory() / 1024.0);
    } catch (LibvirtException unsupported) {
      double used = 0;
      for (Domain d : connection().listAllDomains(1)) {
        used += d.getInfo().memory; // KiB
      }
      return used;
    }
  }

  /**
   * Balloon statistics: memory used as available − unused (KiB), else actual, else the current
   * allocation; swap in + out (KiB, cumulative) and major faults (cumulative) where reported.
   */
  private static MemoryStats memoryStats(Domain d, DomainInfo i) {
    long swapIn = -1;
    long swapOut = -1;
    long majorFaults = -1;
    long available = -1;
    long unused = -1;
    long actual = -1;
    try {
      for (MemoryStatistic m : d.memoryStats(13)) {
        switch (m.getTag()) {
          case 0 -> swapIn = m.getValue(); // VIR_DOMAIN_MEMORY_STAT_SWAP_IN, KiB
          case 1 -> swapOut = m.getValue(); // VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, KiB
          case 2 -> majorFaults = m.getValue(); // VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT
          case 4 -> unused = m.getValue(); // VIR_DOMAIN_MEMORY_STAT_UNUSED
          case 5 -> available = m.getValue(); // VIR_DOMAIN_MEMORY_STAT_AVAILABLE
          case 6 -> actual = m.getValue(); // VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON
          default -> {}
        }
      }
    } catch (LibvirtException noBalloon) {
      // no balloon device: the allocation, and no memory access figures
    }
    double used =
        available >= 0 && unused >= 0 ? available - unused : actual >= 0 ? actual : i.memory;
    long swap = swapIn >= 0 && swapOut >= 0 ? swapIn + swapOut : -1;
    return new MemoryStats(used, swap, majorFaults);
  }

  private static ImageFormat format(String driverType) {
    try {
      return ImageFormat.valueOf(driverType.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new HypervisorException("disk format '" + driverType + "' is not supported");
    }
  }

  /** A call on this host's connection. */
  @FunctionalInterface
  interface ConnectCall<T> {
    T apply(Connect c) throws LibvirtException;
  }

  /**
   * Runs {@code c} on this host's connection and call thread, within the timeout (for the write
   * side's short calls: lookups, state, job statistics).
   *
   * @throws HypervisorUnavailableException when the daemon fails or does not answer in time
   */
  <T> T withConnection(String operation, ConnectCall<T> c) {
    return call(operation, () -> c.apply(connection()));
  }

  /** The libvirt URI of this host. */
  String uri() {
    return uri;
  }

  /** The longest a call may take. */
  Duration timeout() {
    return timeout;
  }

  private Connect connection() throws LibvirtException {
    if (connect == null) {
      connect = new Connect(uri, true);
    }
    return connect;
  }

  private <T> T call(String operation, Callable<T> c) {
    if (calls.isShutdown()) {
      throw new HypervisorException(
          "%s: the libvirt inventory of host %s is closed".formatted(operation, hostId));
    }
    Future<T> f = calls.submit(c);
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new HypervisorUnavailableException(
          hostId, operation, "no answer from %s within %s".formatted(uri, timeout));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HypervisorException he) {
        throw he;
      }
      throw new HypervisorUnavailableException(
          hostId, operation, "%s: %s".formatted(uri, cause.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HypervisorUnavailableException(hostId, operation, "interrupted");
    }
  }

  /** Closes the connection and the call thread. Idempotent. */
  @Override
  public void close() {
    try {
      calls
          .submit(
              () -> {
                if (connect != null) {
                  connect.close();
                  connect = null;
                }
                return null;
              })
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // closing: nothing more to do
    } finally {
      calls.shutdownNow();
    }
  }
}
