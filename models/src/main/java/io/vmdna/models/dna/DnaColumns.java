package io.vmdna.models.dna;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What {@link DnaExtractor} reads: one VM's samples as columns, oldest first, timestamps strictly
 * increasing. {@link DnaSeries} is the usual one (exact-length arrays, validated); a history that
 * keeps its columns with spare capacity (the streaming profile's) can hand its own arrays instead
 * of copying a week of them for every DNA.
 *
 * <p>The column accessors may return arrays longer than {@link #size()}: readers read indices below
 * it only. An implementation says for how long its arrays stay valid.
 */
public interface DnaColumns {
  /** The VM. */
  String vmId();

  /** Samples held. */
  int size();

  /** Sample times, epoch seconds, strictly increasing over {@code [0, size())}. */
  long[] timestampS();

  /** CPU use, percent of the provisioned CPU. */
  double[] cpuPct();

  /** Memory use, percent of the provisioned memory; NaN when none is provisioned. */
  double[] memPct();

  /** Disk read throughput, KiB/s. */
  double[] diskReadKbps();

  /** Disk write throughput, KiB/s. */
  double[] diskWriteKbps();

  /** Network received, KiB/s. */
  double[] netRxKbps();

  /** Network transmitted, KiB/s. */
  double[] netTxKbps();

  /** Provisioned vCPUs. */
  int[] cpuCores();

  /** Provisioned memory, KiB. */
  double[] memProvisionedKb();

  /** Optional metrics by kind (absent: not in the map). */
  Map<DnaSeries.Extra, double[]> extras();

  /** Flow records of this VM, in time order. */
  List<FlowRecord> flows();

  /** The samples {@code [from, to)} as a series of their own (columns copied). */
  DnaSeries slice(int from, int to);

  /** The first index whose time is after {@code timeS} (binary search; {@code size()} if none). */
  default int firstAfter(long timeS) {
    int i = Arrays.binarySearch(timestampS(), 0, size(), timeS);
    return i >= 0 ? i + 1 : -i - 1;
  }
}
