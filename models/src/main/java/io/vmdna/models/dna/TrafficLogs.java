package io.vmdna.models.dna;

import java.util.Arrays;

/**
 * ln(1 + x) of a {@link DnaSeries}' traffic columns, index-aligned with it: what {@link
 * DnaExtractor} takes of throughputs (their spread spans orders of magnitude). A caller that keeps
 * a history and computes the DNA on a cadence computes each sample's logarithms once (as the
 * streaming profile does) instead of the extractor's once per DNA over the whole window: the same
 * function of the same value, so the DNA is the same to the last bit.
 *
 * <p>Each column is at least as long as the series it goes with; entries past its end are never
 * read. Immutable if the caller does not modify the arrays (not copied); thread-safe when so used.
 *
 * @param diskRead ln(1 + disk read KiB/s)
 * @param diskWrite ln(1 + disk write KiB/s)
 * @param netRx ln(1 + network received KiB/s)
 * @param netTx ln(1 + network transmitted KiB/s)
 * @param netTotal ln(1 + (received + transmitted) KiB/s)
 * @param diskTotal ln(1 + (read + written) KiB/s)
 */
public record TrafficLogs(
    double[] diskRead,
    double[] diskWrite,
    double[] netRx,
    double[] netTx,
    double[] netTotal,
    double[] diskTotal) {

  /** The logarithms of every sample of a series. */
  public static TrafficLogs of(DnaSeries s) {
    int n = s.size();
    TrafficLogs l =
        new TrafficLogs(
            new double[n],
            new double[n],
            new double[n],
            new double[n],
            new double[n],
            new double[n]);
    l.fill(0, n, s.diskReadKbps(), s.diskWriteKbps(), s.netRxKbps(), s.netTxKbps());
    return l;
  }

  /**
   * Writes the logarithms of the samples {@code [from, to)} of the given raw columns into this
   * record's columns at the same indices.
   */
  public void fill(
      int from,
      int to,
      double[] diskReadKbps,
      double[] diskWriteKbps,
      double[] netRxKbps,
      double[] netTxKbps) {
    for (int i = from; i < to; i++) {
      diskRead[i] = Math.log1p(diskReadKbps[i]);
      diskWrite[i] = Math.log1p(diskWriteKbps[i]);
      netRx[i] = Math.log1p(netRxKbps[i]);
      netTx[i] = Math.log1p(netTxKbps[i]);
      netTotal[i] = Math.log1p(netRxKbps[i] + netTxKbps[i]);
      diskTotal[i] = Math.log1p(diskReadKbps[i] + diskWriteKbps[i]);
    }
  }

  /** The entries {@code [from, to)} as logs of their own (copied). */
  public TrafficLogs slice(int from, int to) {
    return new TrafficLogs(
        Arrays.copyOfRange(diskRead, from, to),
        Arrays.copyOfRange(diskWrite, from, to),
        Arrays.copyOfRange(netRx, from, to),
        Arrays.copyOfRange(netTx, from, to),
        Arrays.copyOfRange(netTotal, from, to),
        Arrays.copyOfRange(diskTotal, from, to));
  }

  /** Whether every column covers {@code n} samples. */
  boolean covers(int n) {
    return diskRead.length >= n
        && diskWrite.length >= n
        && netRx.length >= n
        && netTx.length >= n
        && netTotal.length >= n
        && diskTotal.length >= n;
  }
}
