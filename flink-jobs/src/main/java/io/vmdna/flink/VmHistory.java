package io.vmdna.flink;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.DerivedColumns;
import io.vmdna.models.dna.DnaColumns;
import io.vmdna.models.dna.DnaSeries;
import io.vmdna.models.dna.FlowRecord;
import io.vmdna.models.predict.SeriesArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One VM's recent samples as columns, the profile's keyed state: appended in place, so a sample
 * costs O(1) (amortised) instead of copying the whole history, and the forecast features read the
 * columns directly instead of converting a list of samples on every sample.
 *
 * <p>Holds at least the last {@code keep} samples once that many arrived, and at most {@code keep}
 * plus a slack of a quarter of {@code keep} (at most {@link #SLACK}): when full, the oldest slack
 * is dropped in one move. Columns grow by doubling, so a new VM's state is small. Every sample's
 * fields are kept, so the samples can be given back as {@link VmSample}s (with the newest host id:
 * the VM's host now).
 *
 * <p>A Flink POJO (public fields, no-argument constructor): checkpoints use Flink's POJO and
 * primitive-array serializers, and the layout can evolve by adding fields. Not thread-safe (keyed
 * state: one task touches it).
 */
public final class VmHistory {
  /** The most samples dropped at once when full. */
  public static final int SLACK = 64;

  private static final int FIRST_CAPACITY = 16;

  /** The VM. */
  public String vmId = "";

  /** The host of the newest sample. */
  public String hostId = "";

  /** Samples held (the columns' first {@code size} entries; the rest is spare capacity). */
  public int size;

  /** Sample times, epoch seconds, strictly increasing. */
  public long[] timestampS = new long[0];

  /** Provisioned cores. */
  public int[] cpuCores = new int[0];

  /** The {@link VmSample} fields of the same names, one column each. */
  public double[] cpuProvisionedMhz = new double[0];

  public double[] cpuUsageMhz = new double[0];
  public double[] cpuUsagePct = new double[0];
  public double[] memProvisionedKb = new double[0];
  public double[] memUsageKb = new double[0];
  public double[] diskReadKbps = new double[0];
  public double[] diskWriteKbps = new double[0];
  public double[] netRxKbps = new double[0];
  public double[] netTxKbps = new double[0];

  /** Derived for the forecast features: memory % (NaN with none provisioned), net and disk. */
  public double[] memPct = new double[0];

  public double[] netKbps = new double[0];
  public double[] diskKbps = new double[0];

  /**
   * The optional memory access metrics ({@link VmSample#majorFaultsPerS()}, {@link
   * VmSample#swapKbps()}): empty until a sample has one (so a VM whose source never gives them
   * costs nothing), then a column like the others with NaN where a sample had none.
   */
  public double[] majorFaultsPerS = new double[0];

  public double[] swapKbps = new double[0];

  /**
   * What the DNA derives from each sample ({@link DerivedColumns}: the network's logarithm and the
   * second of the day, 12 bytes a sample), valid for the first {@link #derivedUpTo} samples and
   * brought up to date when asked ({@link #derivedColumns}): computed once per sample instead of
   * once per DNA over its whole week. Derived, so not state: transient (Flink's POJO serializer
   * leaves it out; a restored or copied history rebuilds it on first use).
   */
  private transient DerivedColumns derived;

  private transient int derivedUpTo;

  /** An empty history (for Flink's POJO serializer; use {@link #append}). */
  public VmHistory() {}

  /** The newest sample's time, or {@link Long#MIN_VALUE} when empty. */
  public long lastTimestampS() {
    return size == 0 ? Long.MIN_VALUE : timestampS[size - 1];
  }

  /**
   * Appends a sample later than every sample held.
   *
   * @param keep samples to keep at least (at least 1)
   * @throws IllegalArgumentException if the sample is not later than the newest one
   */
  public void append(VmSample s, int keep) {
    if (s.timestampS() <= lastTimestampS()) {
      throw new IllegalArgumentException(
          "sample of %s at %d is not after the newest one at %d"
              .formatted(s.vmId(), s.timestampS(), lastTimestampS()));
    }
    int max = keep + Math.max(1, Math.min(SLACK, keep / 4));
    if (size == timestampS.length) {
      if (size >= max) {
        shiftLeft(size - keep);
      }
      if (size == timestampS.length) {
        resize(Math.min(max, Math.max(FIRST_CAPACITY, 2 * timestampS.length)));
      }
    }
    int i = size++;
    vmId = s.vmId();
    hostId = s.hostId();
    timestampS[i] = s.timestampS();
    cpuCores[i] = s.cpuCores();
    cpuProvisionedMhz[i] = s.cpuProvisionedMhz();
    cpuUsageMhz[i] = s.cpuUsageMhz();
    cpuUsagePct[i] = s.cpuUsagePct();
    memProvisionedKb[i] = s.memProvisionedKb();
    memUsageKb[i] = s.memUsageKb();
    diskReadKbps[i] = s.diskReadKbps();
    diskWriteKbps[i] = s.diskWriteKbps();
    netRxKbps[i] = s.netRxKbps();
    netTxKbps[i] = s.netTxKbps();
    memPct[i] =
        s.memProvisionedKb() > 0 ? 100.0 * s.memUsageKb() / s.memProvisionedKb() : Double.NaN;
    netKbps[i] = s.netKbps();
    diskKbps[i] = s.diskKbps();
    majorFaultsPerS = optional(majorFaultsPerS, i, s.majorFaultsPerS());
    swapKbps = optional(swapKbps, i, s.swapKbps());
  }

  /** Sets {@code column[i]}, allocating the column (NaN before i) at its first measured value. */
  private double[] optional(double[] column, int i, double v) {
    if (column.length == 0) {
      if (Double.isNaN(v)) {
        return column;
      }
      column = new double[timestampS.length];
      Arrays.fill(column, Double.NaN);
    }
    column[i] = v;
    return column;
  }

  private static double at(double[] column, int i) {
    return column.length == 0 ? Double.NaN : column[i];
  }

  /**
   * The columns as {@link SeriesArrays} for index-bounded readers ({@code ForecastFeatures.fill} at
   * index {@code size - 1}): no copy, so the arrays are the history's own and may be longer than
   * {@link #size}; read only indices below it, and only until the next {@link #append}.
   */
  public SeriesArrays arrays() {
    return new SeriesArrays(
        vmId, timestampS, cpuUsagePct, memPct, netKbps, diskKbps, cpuCores, cpuProvisionedMhz);
  }

  /**
   * The derived columns of the samples held, index-aligned with them (the history's own arrays, not
   * copied: read indices below {@link #size} only, and only until the next {@link #append}).
   */
  public DerivedColumns derivedColumns() {
    if (derived == null || derived.length() < timestampS.length) {
      DerivedColumns grown = DerivedColumns.zeros(timestampS.length);
      if (derived != null) {
        derived.copyTo(grown, 0, derivedUpTo);
      }
      derived = grown;
    }
    derived.fill(derivedUpTo, size, timestampS, netRxKbps, netTxKbps);
    derivedUpTo = size;
    return derived;
  }

  /**
   * The samples held as the DNA's input, with the given flow records: the history's own arrays, not
   * copied (a week of ten columns was a tenth of the profile's time when copied for every DNA);
   * valid only until the next {@link #append}.
   */
  public DnaColumns dnaColumns(List<FlowRecord> flows) {
    return new Columns(this, size, extras(c -> c), List.copyOf(flows));
  }

  /** {@link #dnaColumns}: a view of the history's arrays up to a size. */
  private record Columns(
      VmHistory h, int size, Map<DnaSeries.Extra, double[]> extras, List<FlowRecord> flows)
      implements DnaColumns {
    @Override
    public String vmId() {
      return h.vmId;
    }

    @Override
    public long[] timestampS() {
      return h.timestampS;
    }

    @Override
    public double[] cpuPct() {
      return h.cpuUsagePct;
    }

    @Override
    public double[] memPct() {
      return h.memPct;
    }

    @Override
    public double[] diskReadKbps() {
      return h.diskReadKbps;
    }

    @Override
    public double[] diskWriteKbps() {
      return h.diskWriteKbps;
    }

    @Override
    public double[] netRxKbps() {
      return h.netRxKbps;
    }

    @Override
    public double[] netTxKbps() {
      return h.netTxKbps;
    }

    @Override
    public int[] cpuCores() {
      return h.cpuCores;
    }

    @Override
    public double[] memProvisionedKb() {
      return h.memProvisionedKb;
    }

    @Override
    public DnaSeries slice(int from, int to) {
      return h.dnaSeries(from, to).withFlows(flows);
    }
  }

  /** The newest {@code n} samples (fewer if fewer are held) as a DNA series (copied). */
  public DnaSeries dnaSeries(int n) {
    return dnaSeries(Math.max(0, size - n), size);
  }

  /** The samples {@code [from, to)} as a DNA series (copied). */
  private DnaSeries dnaSeries(int from, int to) {
    return new DnaSeries(
        vmId,
        Arrays.copyOfRange(timestampS, from, to),
        Arrays.copyOfRange(cpuUsagePct, from, to),
        Arrays.copyOfRange(memPct, from, to),
        Arrays.copyOfRange(diskReadKbps, from, to),
        Arrays.copyOfRange(diskWriteKbps, from, to),
        Arrays.copyOfRange(netRxKbps, from, to),
        Arrays.copyOfRange(netTxKbps, from, to),
        Arrays.copyOfRange(cpuCores, from, to),
        Arrays.copyOfRange(memProvisionedKb, from, to),
        extras(c -> Arrays.copyOfRange(c, from, to)),
        List.of());
  }

  /** The optional metrics some sample carried, each column passed through {@code column}. */
  private Map<DnaSeries.Extra, double[]> extras(UnaryOperator<double[]> column) {
    Map<DnaSeries.Extra, double[]> out = new EnumMap<>(DnaSeries.Extra.class);
    if (majorFaultsPerS.length > 0) {
      out.put(DnaSeries.Extra.MAJOR_FAULTS_PS, column.apply(majorFaultsPerS));
    }
    if (swapKbps.length > 0) {
      out.put(DnaSeries.Extra.SWAP_KBPS, column.apply(swapKbps));
    }
    return out;
  }

  /** The newest {@code n} samples (fewer if fewer are held), oldest first, on the newest host. */
  public List<VmSample> last(int n) {
    int from = Math.max(0, size - n);
    List<VmSample> out = new ArrayList<>(size - from);
    for (int i = from; i < size; i++) {
      out.add(
          new VmSample(
              vmId,
              hostId,
              timestampS[i],
              cpuCores[i],
              cpuProvisionedMhz[i],
              cpuUsageMhz[i],
              cpuUsagePct[i],
              memProvisionedKb[i],
              memUsageKb[i],
              diskReadKbps[i],
              diskWriteKbps[i],
              netRxKbps[i],
              netTxKbps[i],
              at(majorFaultsPerS, i),
              at(swapKbps, i)));
    }
    return out;
  }

  private void shiftLeft(int by) {
    int n = size - by;
    System.arraycopy(timestampS, by, timestampS, 0, n);
    System.arraycopy(cpuCores, by, cpuCores, 0, n);
    for (double[] c : doubles()) {
      System.arraycopy(c, by, c, 0, n);
    }
    for (double[] c : new double[][] {majorFaultsPerS, swapKbps}) {
      if (c.length > 0) {
        System.arraycopy(c, by, c, 0, n);
      }
    }
    if (derived != null && derivedUpTo > by) {
      derived.copyTo(derived, by, derivedUpTo - by);
      derivedUpTo -= by;
    } else {
      derivedUpTo = 0;
    }
    size = n;
  }

  private void resize(int capacity) {
    timestampS = Arrays.copyOf(timestampS, capacity);
    cpuCores = Arrays.copyOf(cpuCores, capacity);
    cpuProvisionedMhz = Arrays.copyOf(cpuProvisionedMhz, capacity);
    cpuUsageMhz = Arrays.copyOf(cpuUsageMhz, capacity);
    cpuUsagePct = Arrays.copyOf(cpuUsagePct, capacity);
    memProvisionedKb = Arrays.copyOf(memProvisionedKb, capacity);
    memUsageKb = Arrays.copyOf(memUsageKb, capacity);
    diskReadKbps = Arrays.copyOf(diskReadKbps, capacity);
    diskWriteKbps = Arrays.copyOf(diskWriteKbps, capacity);
    netRxKbps = Arrays.copyOf(netRxKbps, capacity);
    netTxKbps = Arrays.copyOf(netTxKbps, capacity);
    memPct = Arrays.copyOf(memPct, capacity);
    netKbps = Arrays.copyOf(netKbps, capacity);
    diskKbps = Arrays.copyOf(diskKbps, capacity);
    if (majorFaultsPerS.length > 0) {
      majorFaultsPerS = Arrays.copyOf(majorFaultsPerS, capacity);
    }
    if (swapKbps.length > 0) {
      swapKbps = Arrays.copyOf(swapKbps, capacity);
    }
  }

  private double[][] doubles() {
    return new double[][] {
      cpuProvisionedMhz,
      cpuUsageMhz,
      cpuUsagePct,
      memProvisionedKb,
      memUsageKb,
      diskReadKbps,
      diskWriteKbps,
      netRxKbps,
      netTxKbps,
      memPct,
      netKbps,
      diskKbps
    };
  }
}
