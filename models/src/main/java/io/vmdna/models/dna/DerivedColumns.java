package io.vmdna.models.dna;

import java.util.Arrays;

/**
 * What {@link DnaExtractor} derives from each sample on its own over the DNA's whole week,
 * index-aligned with a {@link DnaSeries}: ln(1 + total network throughput) (its autocorrelations
 * and Fourier waves) and the sample's second of the UTC day (its phase in the hour and the day). A
 * caller that keeps a history and computes the DNA on a cadence computes them once per sample (as
 * the streaming profile does) instead of the extractor's once per DNA over the week: the same
 * functions of the same values, so the DNA is the same to the last bit. What the DNA reads over its
 * last day only (the per-direction logarithms) it still computes itself: kept here they would add
 * 40 bytes a sample (100 KB per VM with a full week) to save about 6 µs of a week's 81 µs DNA.
 *
 * <p>Each column is at least as long as the series it goes with; entries past its end are never
 * read. Immutable if the caller does not modify the arrays (not copied); thread-safe when so used.
 * 12 bytes per sample.
 *
 * @param netTotal ln(1 + (received + transmitted) KiB/s)
 * @param daySecond the sample's second of the UTC day, [0, 86400)
 */
public record DerivedColumns(double[] netTotal, int[] daySecond) {

  /** Columns of {@code n} zeros, to {@link #fill}. */
  public static DerivedColumns zeros(int n) {
    return new DerivedColumns(new double[n], new int[n]);
  }

  /** The derived values of every sample of a series. */
  public static DerivedColumns of(DnaSeries s) {
    DerivedColumns d = zeros(s.size());
    d.fill(0, s.size(), s.timestampS(), s.netRxKbps(), s.netTxKbps());
    return d;
  }

  /**
   * Writes the derived values of the samples {@code [from, to)} of the given raw columns into this
   * record's columns at the same indices.
   */
  public void fill(int from, int to, long[] timestampS, double[] netRxKbps, double[] netTxKbps) {
    for (int i = from; i < to; i++) {
      netTotal[i] = Math.log1p(netRxKbps[i] + netTxKbps[i]);
      daySecond[i] = (int) Math.floorMod(timestampS[i], DnaExtractor.DAY_S);
    }
  }

  /** The entries {@code [from, to)} as columns of their own (copied). */
  public DerivedColumns slice(int from, int to) {
    return new DerivedColumns(
        Arrays.copyOfRange(netTotal, from, to), Arrays.copyOfRange(daySecond, from, to));
  }

  /**
   * Copies {@code n} entries of every column from {@code fromIndex} of this to index 0 of {@code
   * to} (which may be this: the copy handles the overlap).
   */
  public void copyTo(DerivedColumns to, int fromIndex, int n) {
    System.arraycopy(netTotal, fromIndex, to.netTotal, 0, n);
    System.arraycopy(daySecond, fromIndex, to.daySecond, 0, n);
  }

  /** The length of the shorter column. */
  public int length() {
    return Math.min(netTotal.length, daySecond.length);
  }
}
