package io.vmdna.models.dna;

import java.util.Arrays;

/**
 * What {@link DnaExtractor} derives from each sample on its own, index-aligned with a {@link
 * DnaSeries}: ln(1 + x) of the traffic columns (their spread spans orders of magnitude) and the
 * sample's phase in the hour and in the day (the periodicity features' Fourier waves). A caller
 * that keeps a history and computes the DNA on a cadence computes them once per sample (as the
 * streaming profile does) instead of the extractor's once per DNA over the whole window: the same
 * functions of the same values, so the DNA is the same to the last bit.
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
 * @param hourCos cos of the sample's phase in the hour (2π · seconds past the hour / 3600)
 * @param hourSin sin of the same
 * @param dayCos cos of the sample's phase in the UTC day (2π · seconds past midnight / 86400)
 * @param daySin sin of the same
 */
public record DerivedColumns(
    double[] diskRead,
    double[] diskWrite,
    double[] netRx,
    double[] netTx,
    double[] netTotal,
    double[] diskTotal,
    double[] hourCos,
    double[] hourSin,
    double[] dayCos,
    double[] daySin) {

  /** Columns of {@code n} zeros, to {@link #fill}. */
  public static DerivedColumns zeros(int n) {
    return new DerivedColumns(
        new double[n],
        new double[n],
        new double[n],
        new double[n],
        new double[n],
        new double[n],
        new double[n],
        new double[n],
        new double[n],
        new double[n]);
  }

  /** The derived values of every sample of a series. */
  public static DerivedColumns of(DnaSeries s) {
    DerivedColumns d = zeros(s.size());
    d.fill(
        0,
        s.size(),
        s.timestampS(),
        s.diskReadKbps(),
        s.diskWriteKbps(),
        s.netRxKbps(),
        s.netTxKbps());
    return d;
  }

  /**
   * Writes the derived values of the samples {@code [from, to)} of the given raw columns into this
   * record's columns at the same indices.
   */
  public void fill(
      int from,
      int to,
      long[] timestampS,
      double[] diskReadKbps,
      double[] diskWriteKbps,
      double[] netRxKbps,
      double[] netTxKbps) {
    fillLogs(from, to, diskReadKbps, diskWriteKbps, netRxKbps, netTxKbps);
    double[] hour = DnaExtractor.phaseTable(DnaExtractor.HOUR_S);
    double[] day = DnaExtractor.phaseTable(DnaExtractor.DAY_S);
    for (int i = from; i < to; i++) {
      int h = (int) Math.floorMod(timestampS[i], DnaExtractor.HOUR_S);
      int d = (int) Math.floorMod(timestampS[i], DnaExtractor.DAY_S);
      hourCos[i] = hour[2 * h];
      hourSin[i] = hour[2 * h + 1];
      dayCos[i] = day[2 * d];
      daySin[i] = day[2 * d + 1];
    }
  }

  /** The logarithms only, of the samples {@code [from, to)}. */
  void fillLogs(
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

  /** The entries {@code [from, to)} as columns of their own (copied). */
  public DerivedColumns slice(int from, int to) {
    double[][] c = columns();
    for (int k = 0; k < c.length; k++) {
      c[k] = Arrays.copyOfRange(c[k], from, to);
    }
    return new DerivedColumns(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]);
  }

  /**
   * Copies {@code n} entries of every column from {@code fromIndex} of this to index 0 of {@code
   * to} (which may be this: the copy handles the overlap).
   */
  public void copyTo(DerivedColumns to, int fromIndex, int n) {
    double[][] a = columns();
    double[][] b = to.columns();
    for (int k = 0; k < a.length; k++) {
      System.arraycopy(a[k], fromIndex, b[k], 0, n);
    }
  }

  /** The length of the shortest column. */
  public int length() {
    return Arrays.stream(columns()).mapToInt(c -> c.length).min().orElse(0);
  }

  private double[][] columns() {
    return new double[][] {
      diskRead, diskWrite, netRx, netTx, netTotal, diskTotal, hourCos, hourSin, dayCos, daySin
    };
  }
}
