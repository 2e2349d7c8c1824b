package io.vmdna.models.dna;

import io.vmdna.models.VmSample;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One VM's recent history as columns, the input of {@link DnaExtractor}: the sample columns every
 * hypervisor gives, the optional ones only some give ({@link Extra}), and the VM's flow records.
 *
 * <p>Timestamps are strictly increasing, epoch seconds; gaps stay gaps (nothing is filled in). A
 * column of an optional metric holds NaN where a sample did not carry it; a metric no sample
 * carried is absent from {@link #extras()}, and its DNA features are absent (NaN), never zero.
 *
 * <p>Immutable after construction if the caller does not modify the arrays it passed in (they are
 * not copied, so a walk through a long trace costs nothing); thread-safe when so used.
 *
 * @param vmId the VM
 * @param timestampS sample times, strictly increasing
 * @param cpuPct CPU use, percent of the provisioned CPU
 * @param memPct memory use, percent of the provisioned memory; NaN when none is provisioned
 * @param diskReadKbps disk read throughput, KiB/s
 * @param diskWriteKbps disk write throughput, KiB/s
 * @param netRxKbps network received, KiB/s
 * @param netTxKbps network transmitted, KiB/s
 * @param cpuCores provisioned vCPUs
 * @param memProvisionedKb provisioned memory, KiB
 * @param extras optional metrics by kind, each a column as long as the timestamps
 * @param flows flow records of this VM, in time order (empty when no collector gives them)
 */
public record DnaSeries(
    String vmId,
    long[] timestampS,
    double[] cpuPct,
    double[] memPct,
    double[] diskReadKbps,
    double[] diskWriteKbps,
    double[] netRxKbps,
    double[] netTxKbps,
    int[] cpuCores,
    double[] memProvisionedKb,
    Map<Extra, double[]> extras,
    List<FlowRecord> flows)
    implements DnaColumns {

  /**
   * Optional metrics: memory access pattern proxies and application metrics, given only by some
   * hypervisors or agents.
   */
  public enum Extra {
    /** Major page faults per second (libvirt memory stats {@code major_fault}, per interval). */
    MAJOR_FAULTS_PS("mem_major_faults_ps"),
    /** Swap traffic in plus out, KiB/s. */
    SWAP_KBPS("mem_swap_kbps"),
    /** Application requests or queries per second, from an application exporter. */
    APP_RPS("app_rps");

    private final String column;

    Extra(String column) {
      this.column = column;
    }

    /** The snake_case name in feature names. */
    public String column() {
      return column;
    }
  }

  /**
   * Checks lengths and order.
   *
   * @throws IllegalArgumentException naming the column whose length differs, or the index where
   *     time does not increase
   */
  public DnaSeries {
    int n = timestampS.length;
    check("cpuPct", cpuPct.length, n);
    check("memPct", memPct.length, n);
    check("diskReadKbps", diskReadKbps.length, n);
    check("diskWriteKbps", diskWriteKbps.length, n);
    check("netRxKbps", netRxKbps.length, n);
    check("netTxKbps", netTxKbps.length, n);
    check("cpuCores", cpuCores.length, n);
    check("memProvisionedKb", memProvisionedKb.length, n);
    extras = Map.copyOf(extras);
    for (Map.Entry<Extra, double[]> e : extras.entrySet()) {
      check(e.getKey().column(), e.getValue().length, n);
    }
    flows = List.copyOf(flows);
    for (int i = 1; i < n; i++) {
      if (timestampS[i] <= timestampS[i - 1]) {
        throw new IllegalArgumentException(
            "DNA series of VM %s: time does not increase at index %d (%d after %d)"
                .formatted(vmId, i, timestampS[i], timestampS[i - 1]));
      }
    }
  }

  private static void check(String column, int length, int n) {
    if (length != n) {
      throw new IllegalArgumentException(
          "DNA series column %s has %d values for %d timestamps".formatted(column, length, n));
    }
  }

  /** The columns of samples of one VM, oldest first, with no optional metrics and no flows. */
  public static DnaSeries of(List<VmSample> samples) {
    int n = samples.size();
    long[] ts = new long[n];
    double[] cpu = new double[n];
    double[] mem = new double[n];
    double[] dr = new double[n];
    double[] dw = new double[n];
    double[] rx = new double[n];
    double[] tx = new double[n];
    int[] cores = new int[n];
    double[] memProv = new double[n];
    double[] faults = new double[n];
    double[] swap = new double[n];
    boolean anyFaults = false;
    boolean anySwap = false;
    for (int i = 0; i < n; i++) {
      VmSample s = samples.get(i);
      ts[i] = s.timestampS();
      cpu[i] = s.cpuUsagePct();
      mem[i] =
          s.memProvisionedKb() > 0 ? 100.0 * s.memUsageKb() / s.memProvisionedKb() : Double.NaN;
      dr[i] = s.diskReadKbps();
      dw[i] = s.diskWriteKbps();
      rx[i] = s.netRxKbps();
      tx[i] = s.netTxKbps();
      cores[i] = s.cpuCores();
      memProv[i] = s.memProvisionedKb();
      faults[i] = s.majorFaultsPerS();
      swap[i] = s.swapKbps();
      anyFaults |= !Double.isNaN(faults[i]);
      anySwap |= !Double.isNaN(swap[i]);
    }
    // the optional metrics only when some sample has them (absent stays absent, never 0)
    Map<Extra, double[]> extras = new EnumMap<>(Extra.class);
    if (anyFaults) {
      extras.put(Extra.MAJOR_FAULTS_PS, faults);
    }
    if (anySwap) {
      extras.put(Extra.SWAP_KBPS, swap);
    }
    String vm = n == 0 ? "" : samples.getFirst().vmId();
    return new DnaSeries(vm, ts, cpu, mem, dr, dw, rx, tx, cores, memProv, extras, List.of());
  }

  /** This series with an optional metric's column added (or replaced). */
  public DnaSeries withExtra(Extra kind, double[] column) {
    Map<Extra, double[]> m = new EnumMap<>(Extra.class);
    m.putAll(extras);
    m.put(kind, column);
    return with(m, flows);
  }

  /** This series with the VM's flow records (in time order). */
  public DnaSeries withFlows(List<FlowRecord> flowRecords) {
    return with(extras, flowRecords);
  }

  private DnaSeries with(Map<Extra, double[]> newExtras, List<FlowRecord> newFlows) {
    return new DnaSeries(
        vmId,
        timestampS,
        cpuPct,
        memPct,
        diskReadKbps,
        diskWriteKbps,
        netRxKbps,
        netTxKbps,
        cpuCores,
        memProvisionedKb,
        newExtras,
        newFlows);
  }

  /**
   * The samples {@code [from, to)} as a series of their own (columns copied, flows kept whole: the
   * DNA selects them by time).
   */
  public DnaSeries slice(int from, int to) {
    Map<Extra, double[]> m = new EnumMap<>(Extra.class);
    extras.forEach((k, v) -> m.put(k, Arrays.copyOfRange(v, from, to)));
    return new DnaSeries(
        vmId,
        Arrays.copyOfRange(timestampS, from, to),
        Arrays.copyOfRange(cpuPct, from, to),
        Arrays.copyOfRange(memPct, from, to),
        Arrays.copyOfRange(diskReadKbps, from, to),
        Arrays.copyOfRange(diskWriteKbps, from, to),
        Arrays.copyOfRange(netRxKbps, from, to),
        Arrays.copyOfRange(netTxKbps, from, to),
        Arrays.copyOfRange(cpuCores, from, to),
        Arrays.copyOfRange(memProvisionedKb, from, to),
        m,
        flows);
  }

  @Override
  public int size() {
    return timestampS.length;
  }
}
