package io.vmdna.models.dna;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes the schema-{@value DnaSchema#VERSION} DNA ({@link DnaSchema}) of a VM at one sample from
 * that sample and the ones before it (causal: a walk through a trace computes what the streaming
 * job computes). Thread-safe: it keeps nothing between calls but scratch columns, one set per
 * thread (a few arrays as long as the longest series that thread has seen).
 *
 * <p>Cost: linear in the samples of the history window ({@value DnaSchema#HISTORY_DAYS} days) plus
 * a sort of each window; see {@code DnaBench} for the measured time (about a tenth of a millisecond
 * for a week of 5-minute samples), which is why the streaming job computes it on a cadence rather
 * than on every sample.
 */
public final class DnaExtractor {
  private static final double LN2 = Math.log(2);
  static final long HOUR_S = 3_600;
  static final long DAY_S = 86_400;

  /** Pairs needed for an autocorrelation (two hours of 5-minute samples). */
  static final int MIN_PAIRS = 24;

  /**
   * The DNA at sample {@code end}.
   *
   * @param s the VM's history
   * @param end index of the newest sample to use, in {@code [0, s.size())}
   * @throws IndexOutOfBoundsException if {@code end} is outside the series
   */
  public Dna compute(DnaColumns s, int end) {
    return compute(s, end, null);
  }

  /**
   * The DNA at sample {@code end}, with the per-sample derived values given (the same DNA as {@link
   * #compute(DnaColumns, int)}, cheaper for a caller that keeps them).
   *
   * @param derived the series' {@link DerivedColumns}, index-aligned with it; null to compute them
   * @throws IndexOutOfBoundsException if {@code end} is outside the series
   * @throws IllegalArgumentException if a column of {@code derived} is shorter than the series
   */
  public Dna compute(DnaColumns s, int end, DerivedColumns derived) {
    double[] f = features(s, end, derived);
    long t = s.timestampS()[end];
    int samples = end + 1 - s.firstAfter(t - DAY_S);
    return Dna.of(DnaSchema.VERSION, t, samples, f);
  }

  /** The DNA of the newest sample of a series (see {@link #compute(DnaColumns, int)}). */
  public Dna compute(DnaColumns s) {
    if (s.size() == 0) {
      throw new IllegalArgumentException("cannot compute a DNA from an empty series");
    }
    return compute(s, s.size() - 1);
  }

  /**
   * The feature vector at sample {@code end}, in {@link DnaSchema#NAMES} order; NaN marks an absent
   * feature.
   */
  public double[] features(DnaColumns s, int end) {
    return features(s, end, null);
  }

  /**
   * As {@link #features(DnaColumns, int)}, with the per-sample derived values given.
   *
   * @param derived the series' {@link DerivedColumns}, index-aligned with it; null to compute them
   * @throws IllegalArgumentException if a column of {@code derived} is shorter than the series
   */
  public double[] features(DnaColumns s, int end, DerivedColumns derived) {
    if (derived != null && derived.length() < s.size()) {
      throw new IllegalArgumentException(
          "derived columns shorter than the %d samples of VM %s".formatted(s.size(), s.vmId()));
    }
    if (end < 0 || end >= s.size()) {
      throw new IndexOutOfBoundsException(
          "sample index %d outside the series of VM %s (%d samples)"
              .formatted(end, s.vmId(), s.size()));
    }
    // every index below is absolute and reads [hist, end] only. Without derived columns the
    // window is cut out first, as the scratch columns computed here are as long as the series
    // (a whole trace, in a walk through one); with them nothing is copied
    int first = s.firstAfter(s.timestampS()[end] - DnaSchema.HISTORY_DAYS * DAY_S);
    if (derived == null && (first > 0 || end < s.size() - 1)) {
      s = s.slice(first, end + 1);
      end -= first;
    }
    long[] ts = s.timestampS();
    long t = ts[end];
    double[] out = new double[DnaSchema.size()];
    int k = 0;
    int hist = s.firstAfter(t - DnaSchema.HISTORY_DAYS * DAY_S);
    int dayFrom = s.firstAfter(t - DAY_S);
    boolean given = derived != null;
    double[] netTotal = given ? derived.netTotal() : netLog(s, hist, end);
    DayLogs logs = new DayLogs(s, dayFrom, end);
    double[][] series = {
      s.cpuPct(), s.memPct(), logs.diskRead, logs.diskWrite, logs.netRx, logs.netTx
    };
    int[] from = new int[DnaSchema.WINDOWS.size()];
    for (int w = 0; w < from.length; w++) {
      from[w] = s.firstAfter(t - DnaSchema.WINDOW_S[w]);
    }
    for (double[] x : series) {
      for (int w = 0; w < from.length; w++) {
        windowStats(ts, x, from[w], end, out, k);
        k += DnaSchema.STATS.size();
      }
    }

    int[] daySecond = given ? derived.daySecond() : null;
    Wave hourly = null;
    Wave daily = null;
    if (ts[end] - ts[hist] >= 2 * HOUR_S) {
      hourly = new Wave(ts, daySecond, hist, end, HOUR_S);
    }
    if (ts[end] - ts[hist] >= 2 * DAY_S) {
      daily = new Wave(ts, daySecond, hist, end, DAY_S);
    }
    int[] hourAgo = partners(ts, hist, end, HOUR_S);
    int[] dayAgo = partners(ts, hist, end, DAY_S);
    for (double[] x : new double[][] {s.cpuPct(), netTotal}) {
      out[k++] = autocorrelation(x, hist, end, hourAgo);
      out[k++] = autocorrelation(x, hist, end, dayAgo);
      powerShares(x, hist, end, hourly, daily, out, k);
      k += 2;
    }

    k = timeOfDay(ts, s.cpuPct(), hist, end, out, k);

    int day = from[1];
    double[] diskTotal = logs.diskTotal;
    out[k++] = correlation(s.cpuPct(), s.memPct(), day, end);
    out[k++] = correlation(s.cpuPct(), diskTotal, day, end);
    out[k++] = correlation(s.cpuPct(), netTotal, day, end);
    out[k++] = share(s.diskReadKbps(), s.diskWriteKbps(), day, end);
    out[k++] = share(s.netRxKbps(), s.netTxKbps(), day, end);
    out[k++] = slopePerSecond(ts, s.memPct(), hist, end) * DAY_S;

    out[k++] = s.cpuCores()[end] > 0 ? Math.log(s.cpuCores()[end]) / LN2 : NaN;
    out[k++] =
        s.memProvisionedKb()[end] > 0
            ? Math.log(s.memProvisionedKb()[end] / (1024.0 * 1024.0)) / LN2
            : NaN;

    for (DnaSeries.Extra e : DnaSeries.Extra.values()) {
      double[] x = s.extras().get(e);
      if (x == null) {
        out[k++] = NaN;
        out[k++] = NaN;
        out[k++] = NaN;
      } else {
        out[k++] = finiteMean(x, from[0], end);
        out[k++] = finiteMean(x, day, end);
        double[] v = finite(x, day, end);
        out[k++] = v.length == 0 ? NaN : Stats.quantileSorted(sort(v), 0.95);
      }
    }

    k = flows(s.flows(), t - DAY_S, t, out, k);
    if (k != out.length) {
      throw new IllegalStateException("DNA extractor wrote %d of %d".formatted(k, out.length));
    }
    return out;
  }

  private static final double NaN = Double.NaN;

  /**
   * Scratch columns, one set per thread: a week's DNA needed a dozen fresh arrays as long as the
   * series (the last day's logarithms, the waves), and allocating and zeroing them was a fifth of
   * its time. Only the entries a DNA writes are read back, so stale ones never matter.
   */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final class Scratch {
    static final int DAY_LOGS = 0; // five columns
    static final int NET_LOG = 5;
    static final int HOUR_WAVE = 6; // cos, sin
    static final int DAY_WAVE = 8; // cos, sin
    private final double[][] columns = new double[10][0];

    /** Column {@code slot}, at least {@code n} long (contents: whatever was left). */
    double[] get(int slot, int n) {
      if (columns[slot].length < n) {
        columns[slot] = new double[Math.max(n, columns[slot].length + columns[slot].length / 2)];
      }
      return columns[slot];
    }
  }

  /** ln(1 + total network throughput) over [hist, end] (the rest never read). */
  private static double[] netLog(DnaColumns s, int hist, int end) {
    double[] rx = s.netRxKbps();
    double[] tx = s.netTxKbps();
    double[] y = SCRATCH.get().get(Scratch.NET_LOG, end + 1);
    for (int i = hist; i <= end; i++) {
      y[i] = Math.log1p(rx[i] + tx[i]);
    }
    return y;
  }

  /**
   * ln(1 + x) of the traffic columns over the last day [day, end], the window the features read
   * them in (the rest of each scratch column never read).
   */
  private static final class DayLogs {
    final double[] diskRead;
    final double[] diskWrite;
    final double[] netRx;
    final double[] netTx;
    final double[] diskTotal;

    DayLogs(DnaColumns s, int day, int end) {
      Scratch scratch = SCRATCH.get();
      int n = end + 1;
      diskRead = scratch.get(Scratch.DAY_LOGS, n);
      diskWrite = scratch.get(Scratch.DAY_LOGS + 1, n);
      netRx = scratch.get(Scratch.DAY_LOGS + 2, n);
      netTx = scratch.get(Scratch.DAY_LOGS + 3, n);
      diskTotal = scratch.get(Scratch.DAY_LOGS + 4, n);
      double[] dr = s.diskReadKbps();
      double[] dw = s.diskWriteKbps();
      double[] rx = s.netRxKbps();
      double[] tx = s.netTxKbps();
      for (int i = day; i <= end; i++) {
        diskRead[i] = Math.log1p(dr[i]);
        diskWrite[i] = Math.log1p(dw[i]);
        netRx[i] = Math.log1p(rx[i]);
        netTx[i] = Math.log1p(tx[i]);
        diskTotal[i] = Math.log1p(dr[i] + dw[i]);
      }
    }
  }

  /** The ten {@link DnaSchema#STATS} of x[from..end], skipping NaN. */
  static void windowStats(long[] ts, double[] x, int from, int end, double[] out, int k) {
    double[] v = finite(x, from, end);
    int n = v.length;
    if (n == 0) {
      Arrays.fill(out, k, k + DnaSchema.STATS.size(), NaN);
      return;
    }
    double mean = 0;
    int zeros = 0;
    for (double d : v) {
      mean += d;
      zeros += d == 0 ? 1 : 0;
    }
    mean /= n;
    double ss = 0;
    for (double d : v) {
      ss += (d - mean) * (d - mean);
    }
    double std = n < 2 ? NaN : Math.sqrt(ss / (n - 1));
    sort(v);
    out[k] = mean;
    out[k + 1] = std;
    out[k + 2] = Stats.quantileSorted(v, 0.50);
    out[k + 3] = Stats.quantileSorted(v, 0.95);
    out[k + 4] = Stats.quantileSorted(v, 0.99);
    out[k + 5] = v[0];
    out[k + 6] = v[n - 1];
    out[k + 7] = slopePerSecond(ts, x, from, end) * HOUR_S;
    out[k + 8] = n < 2 ? NaN : (std + mean == 0 ? -1 : (std - mean) / (std + mean));
    out[k + 9] = (double) zeros / n;
  }

  /** Least-squares slope of x against time (per second) over finite values; NaN under 2. */
  static double slopePerSecond(long[] ts, double[] x, int from, int end) {
    int n = 0;
    double tm = 0;
    double xm = 0;
    for (int i = from; i <= end; i++) {
      if (Double.isFinite(x[i])) {
        n++;
        tm += ts[i] - ts[end];
        xm += x[i];
      }
    }
    if (n < 2) {
      return NaN;
    }
    tm /= n;
    xm /= n;
    double num = 0;
    double den = 0;
    for (int i = from; i <= end; i++) {
      if (Double.isFinite(x[i])) {
        double dt = ts[i] - ts[end] - tm;
        num += dt * (x[i] - xm);
        den += dt * dt;
      }
    }
    return den == 0 ? NaN : num / den;
  }

  /**
   * For each sample i in [from, end], the earlier sample nearest to {@code ts[i] − lagS} within
   * half a sample (150 s), or −1: the pairs of an autocorrelation at that lag, found once for every
   * series of the same timestamps.
   */
  static int[] partners(long[] ts, int from, int end, long lagS) {
    int[] partner = new int[end - from + 1];
    // on a regular stretch the partner sits exactly lag / interval samples back: taken when a
    // sample is exactly at ts[i] - lag and the one before it is outside the 150 s window, which is
    // what the search below would find (its nearest candidate, at distance 0)
    int back =
        ts[end] > ts[from]
            ? (int) Math.round(lagS * (double) (end - from) / (ts[end] - ts[from]))
            : 0;
    int j = from;
    for (int i = from; i <= end; i++) {
      long want = ts[i] - lagS;
      int g = i - back;
      if (back > 0 && g >= from && ts[g] == want && (g == from || ts[g - 1] < want - 150)) {
        partner[i - from] = g;
        continue;
      }
      while (j < i && ts[j] < want - 150) {
        j++;
      }
      // j is the first sample at or after want - 150; take the nearer of j and j+1
      int best = -1;
      long bestD = 151;
      for (int c = j; c < i && c <= j + 1; c++) {
        long d = Math.abs(ts[c] - want);
        if (d < bestD) {
          best = c;
          bestD = d;
        }
      }
      partner[i - from] = best;
    }
    return partner;
  }

  /**
   * Pearson correlation of x at t and x at t − lag over [from, end], the pairs given by {@link
   * #partners} (pairs with a NaN are left out); NaN with fewer than {@link #MIN_PAIRS} pairs or no
   * variance.
   */
  static double autocorrelation(double[] x, int from, int end, int[] partner) {
    return pearson(x, x, from, end, partner, MIN_PAIRS);
  }

  /** Pearson correlation of two columns over [from, end], rows where both are finite. */
  static double correlation(double[] x, double[] y, int from, int end) {
    return pearson(x, y, from, end, null, 3);
  }

  /**
   * Pearson correlation of x[i] and y[partner of i] over i in [from, end] (the same row without
   * partners), pairs with a NaN left out, summed in index order in place; NaN with fewer than
   * {@code minPairs} pairs or a constant side.
   *
   * @param partner per i, the index of its pair in y, −1 for none (indexed {@code i - from}); null
   *     to pair each row with itself
   */
  private static double pearson(
      double[] x, double[] y, int from, int end, int[] partner, int minPairs) {
    int n = 0;
    double am = 0;
    double bm = 0;
    for (int i = from; i <= end; i++) {
      int p = partner == null ? i : partner[i - from];
      if (p >= 0 && Double.isFinite(x[i]) && Double.isFinite(y[p])) {
        am += x[i];
        bm += y[p];
        n++;
      }
    }
    if (n < minPairs) {
      return NaN;
    }
    am /= n;
    bm /= n;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = from; i <= end; i++) {
      int p = partner == null ? i : partner[i - from];
      if (p >= 0 && Double.isFinite(x[i]) && Double.isFinite(y[p])) {
        double da = x[i] - am;
        double db = y[p] - bm;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
      }
    }
    return saa <= 1e-12 || sbb <= 1e-12 ? NaN : sab / Math.sqrt(saa * sbb);
  }

  /**
   * The share of x's variance at each of two periods, into {@code out[k]} and {@code out[k + 1]}:
   * {@code 2 |Σ (x_i − μ) e^{−2πi t_i / P}|² / (N Σ (x_i − μ)²)}, clamped to [0, 1]; a Fourier
   * coefficient at the exact frequency, on the samples' own times (gaps are not filled). NaN for a
   * constant series or a null wave (history shorter than two periods). Both in one pass: each sum
   * sees the same terms in the same order as a pass of its own.
   */
  static void powerShares(
      double[] x, int from, int end, Wave first, Wave second, double[] out, int k) {
    out[k] = NaN;
    out[k + 1] = NaN;
    if (first == null && second == null) {
      return;
    }
    int n = 0;
    double mean = 0;
    for (int i = from; i <= end; i++) {
      if (Double.isFinite(x[i])) {
        mean += x[i];
        n++;
      }
    }
    if (n < 2) {
      return;
    }
    mean /= n;
    Wave a = first == null ? second : first;
    Wave b = second == null ? first : second;
    double reA = 0;
    double imA = 0;
    double reB = 0;
    double imB = 0;
    double ss = 0;
    for (int i = from; i <= end; i++) {
      if (Double.isFinite(x[i])) {
        double d = x[i] - mean;
        reA += d * a.cos[i - a.base];
        imA -= d * a.sin[i - a.base];
        reB += d * b.cos[i - b.base];
        imB -= d * b.sin[i - b.base];
        ss += d * d;
      }
    }
    if (ss <= 1e-12) {
      return;
    }
    if (first != null) {
      out[k] = Math.min(1, 2 * (reA * reA + imA * imA) / (n * ss));
    }
    if (second != null) {
      out[k + 1] = Math.min(1, 2 * (reB * reB + imB * imB) / (n * ss));
    }
  }

  /**
   * cos and sin of each sample's phase in one period (an hour or a day, read from the phase
   * tables), shared by the series that use it.
   */
  static final class Wave {
    final double[] cos;
    final double[] sin;

    /** The index of the series that element 0 belongs to. */
    final int base;

    Wave(long[] ts, int from, int end, long periodS) {
      this(ts, null, from, end, periodS);
    }

    /**
     * The wave of the samples [from, end] (in this thread's scratch columns: valid until the next
     * wave of the same period on this thread), their phases from their second of the day when given
     * ({@link DerivedColumns#daySecond()}, the same phase without a long division per sample), else
     * from their timestamps.
     */
    Wave(long[] ts, int[] daySecond, int from, int end, long periodS) {
      int slot = periodS == DAY_S ? Scratch.DAY_WAVE : Scratch.HOUR_WAVE;
      cos = SCRATCH.get().get(slot, end - from + 1);
      sin = SCRATCH.get().get(slot + 1, end - from + 1);
      base = from;
      double[] table = Phases.of(periodS);
      int period = (int) periodS; // divides a day: the phase is the second of the day's remainder
      for (int i = from; i <= end; i++) {
        int p = daySecond != null ? daySecond[i] % period : (int) Math.floorMod(ts[i], periodS);
        cos[i - from] = table[2 * p];
        sin[i - from] = table[2 * p + 1];
      }
    }
  }

  /**
   * cos and sin of {@code 2π p / period} for every whole second p of an hour and of a day (the same
   * expression the wave computes, so the same values), filled when first used: a week's waves then
   * cost a lookup per sample instead of two trigonometric calls (1.4 MB for both).
   */
  private static final class Phases {
    static final double[] HOUR = table(HOUR_S);
    static final double[] DAY = table(DAY_S);

    /** The table of one period: an hour or a day. */
    static double[] of(long periodS) {
      if (periodS == HOUR_S) {
        return HOUR;
      }
      if (periodS == DAY_S) {
        return DAY;
      }
      throw new IllegalArgumentException("no phase table for a period of " + periodS + " s");
    }

    private static double[] table(long periodS) {
      double[] t = new double[2 * (int) periodS];
      double w = 2 * Math.PI / periodS;
      for (long p = 0; p < periodS; p++) {
        double phase = w * p;
        t[2 * (int) p] = Math.cos(phase);
        t[2 * (int) p + 1] = Math.sin(phase);
      }
      return t;
    }
  }

  private static int timeOfDay(long[] ts, double[] cpu, int from, int end, double[] out, int k) {
    int bins = DnaSchema.TOD_HOURS.length;
    double[] sum = new double[bins];
    int[] count = new int[bins];
    double all = 0;
    int allN = 0;
    for (int i = from; i <= end; i++) {
      if (Double.isFinite(cpu[i])) {
        int bin = (int) (Math.floorMod(ts[i], DAY_S) / (DAY_S / bins));
        sum[bin] += cpu[i];
        count[bin]++;
        all += cpu[i];
        allN++;
      }
    }
    for (int b = 0; b < bins; b++) {
      out[k++] = count[b] == 0 ? NaN : sum[b] / count[b] - all / allN;
    }
    return k;
  }

  /** Σa / (Σa + Σb) over [from, end]; NaN when both sums are 0. */
  private static double share(double[] a, double[] b, int from, int end) {
    double sa = 0;
    double sb = 0;
    for (int i = from; i <= end; i++) {
      sa += a[i];
      sb += b[i];
    }
    return sa + sb <= 0 ? NaN : sa / (sa + sb);
  }

  /**
   * Traffic features of the flows in (fromS, toS]: protocol shares and destination spread, weighted
   * by bytes, or by flow count when no record carries bytes (conntrack without accounting).
   */
  private static int flows(List<FlowRecord> flows, long fromS, long toS, double[] out, int k) {
    long bytes = 0;
    int count = 0;
    for (FlowRecord f : flows) {
      if (f.timestampS() > fromS && f.timestampS() <= toS) {
        bytes += f.bytes();
        count++;
      }
    }
    if (count == 0) {
      Arrays.fill(out, k, k + DnaSchema.FLOW.size(), NaN);
      return k + DnaSchema.FLOW.size();
    }
    boolean byBytes = bytes > 0;
    double[] proto = new double[4];
    Map<String, Double> byDst = new HashMap<>();
    for (FlowRecord f : flows) {
      if (f.timestampS() <= fromS || f.timestampS() > toS) {
        continue;
      }
      double w = byBytes ? f.bytes() : 1;
      int p =
          switch (f.protocol()) {
            case "tcp" -> 0;
            case "udp" -> 1;
            case "icmp", "icmpv6" -> 2;
            default -> 3;
          };
      proto[p] += w;
      byDst.merge(f.destination(), w, Double::sum);
    }
    double total = byBytes ? bytes : count;
    for (double p : proto) {
      out[k++] = p / total;
    }
    double entropy = 0;
    for (double w : byDst.values()) {
      double p = w / total;
      if (p > 0) {
        entropy -= p * Math.log(p) / LN2;
      }
    }
    out[k++] = entropy;
    out[k++] = Math.log(byDst.size()) / LN2;
    return k;
  }

  private static double[] finite(double[] x, int from, int end) {
    double[] v = new double[Math.max(0, end - from + 1)];
    int n = 0;
    for (int i = from; i <= end; i++) {
      if (Double.isFinite(x[i])) {
        v[n++] = x[i];
      }
    }
    return n == v.length ? v : Arrays.copyOf(v, n);
  }

  private static double finiteMean(double[] x, int from, int end) {
    double sum = 0;
    int n = 0;
    for (int i = from; i <= end; i++) {
      if (Double.isFinite(x[i])) {
        sum += x[i];
        n++;
      }
    }
    return n == 0 ? NaN : sum / n;
  }

  private static double[] sort(double[] v) {
    Arrays.sort(v);
    return v;
  }
}
