package io.vmdna.models.predict;

import java.util.List;

/**
 * The nearest-peer search of a {@link PeerLibrary}, laid out once for speed: the peers' DNA vectors
 * in one flat array, so a query walks memory in order instead of through a record and its array per
 * peer, and the query's absent dimensions are found once instead of once per peer.
 *
 * <p>The answer is exactly the plain scan's: the {@link PeerLibrary#K} peers smallest by (distance,
 * position in the library), each distance summed dimension by dimension in the same order with the
 * same rounding, so the features built from them are the same to the last bit (a test compares it
 * with a brute-force answer on random queries, ties and absent dimensions included). A peer is
 * dropped as soon as its partial sum reaches the {@code k}-th distance found (the sum only grows).
 *
 * <p>Measured on the shipped model's 100 peers: the peer features of a feature row 734-751 ns
 * against 1,324 ns for the scan over the records (JMH {@code PeerBench}; the profile's job asks
 * once per sample). A lower bound computed with multiplications, to skip most peers' five
 * divisions, was tried and was no faster. Immutable; thread-safe.
 */
final class PeerSearch {
  private static final int CPU_NOW = ForecastFeatures.NAMES.indexOf("cpu_now");
  private static final int MEAN_24H = ForecastFeatures.NAMES.indexOf("cpu_mean_24h_rel");
  private static final int STD_24H = ForecastFeatures.NAMES.indexOf("cpu_std_24h");
  private static final int CORES = ForecastFeatures.NAMES.indexOf("cpu_cores");
  private static final int MEM = ForecastFeatures.NAMES.indexOf("mem_now");
  private static final int NET = ForecastFeatures.NAMES.indexOf("net_log_mean_1h");
  private static final int HOUR = ForecastFeatures.NAMES.indexOf("target_hour");
  private static final int PEER_CPU = ForecastFeatures.NAMES.indexOf("peer_cpu_at_target_rel");
  private static final int PEER_HIGH = ForecastFeatures.NAMES.indexOf("peer_frac_high_at_target");
  private static final int DIMS = PeerLibrary.DIMS;

  private final List<PeerLibrary.Peer> peers;
  private final double[] scale;

  /** Peer i's DNA at {@code [i * DIMS, (i + 1) * DIMS)}. */
  private final double[] dna;

  PeerSearch(PeerLibrary library) {
    this.peers = library.peers();
    this.scale = library.scale().clone();
    if (scale.length != DIMS) {
      throw new IllegalArgumentException(
          "peer library: %d scales for %d DNA dimensions".formatted(scale.length, DIMS));
    }
    this.dna = new double[peers.size() * DIMS];
    for (int i = 0; i < peers.size(); i++) {
      double[] d = peers.get(i).dna();
      if (d.length != DIMS) {
        throw new IllegalArgumentException(
            "peer library: peer %s has %d DNA dimensions, expected %d"
                .formatted(peers.get(i).vm(), d.length, DIMS));
      }
      System.arraycopy(d, 0, dna, i * DIMS, DIMS);
    }
  }

  /**
   * Fills the peer features of rows built by {@link ForecastFeatures#fill}: the mean of the {@link
   * PeerLibrary#K} nearest peers' profiles at each row's target hour.
   *
   * @param x rows, row-major
   * @param rows how many
   * @param exclude per row, the VM id to leave out of its peers (training), or null for none
   */
  void complete(float[] x, int rows, String[] exclude) {
    int[] best = new int[PeerLibrary.K];
    double[] bestD = new double[PeerLibrary.K];
    double[] q = new double[DIMS];
    for (int r = 0; r < rows; r++) {
      int o = r * ForecastFeatures.SIZE;
      double now = x[o + CPU_NOW];
      q[0] = now + x[o + MEAN_24H];
      q[1] = Math.log1p(x[o + STD_24H]);
      q[2] = x[o + CORES];
      q[3] = x[o + MEM];
      q[4] = x[o + NET];
      int found = nearest(q, exclude == null ? null : exclude[r], best, bestD);
      int hour = (int) x[o + HOUR];
      double cpu = 0;
      double high = 0;
      int k = 0;
      for (int i = 0; i < found; i++) {
        PeerLibrary.Peer p = peers.get(best[i]);
        if (Double.isFinite(p.hourlyCpuPct()[hour])) {
          cpu += p.hourlyCpuPct()[hour];
          high += p.hourlyHigh()[hour];
          k++;
        }
      }
      x[o + PEER_CPU] = k == 0 ? Float.NaN : (float) (cpu / k - now);
      x[o + PEER_HIGH] = k == 0 ? Float.NaN : (float) (high / k);
    }
  }

  /**
   * The {@code best.length} nearest peers to {@code q}, nearest first (ties: earlier in the library
   * first).
   *
   * @param q the query DNA ({@link PeerLibrary}'s dimensions; NaN = absent, that dimension skipped,
   *     as it is where a peer's is absent)
   * @param exclude a VM id to leave out, or null
   * @param best out: library positions
   * @param bestD out: their squared standardised distances
   * @return how many were found (fewer than {@code best.length} only in a small library)
   */
  int nearest(double[] q, String exclude, int[] best, double[] bestD) {
    boolean p0 = Double.isFinite(q[0]);
    boolean p1 = Double.isFinite(q[1]);
    boolean p2 = Double.isFinite(q[2]);
    boolean p3 = Double.isFinite(q[3]);
    boolean p4 = Double.isFinite(q[4]);
    int k = best.length;
    int n = peers.size();
    int found = 0;
    // while fewer than k are found every peer is taken; then a peer is dropped once its partial
    // sum reaches the k-th distance (the sum only grows, and it is later in the library: it ranks
    // after a tie). The sum is checked every second dimension so two divisions run side by side.
    // An absent dimension adds nothing, as skipping it does.
    double worst = Double.POSITIVE_INFINITY;
    for (int i = 0, o = 0; i < n; i++, o += DIMS) {
      double d = 0;
      double v;
      if (p0 && Double.isFinite(v = dna[o])) {
        double z = (q[0] - v) / scale[0];
        d += z * z;
      }
      if (p1 && Double.isFinite(v = dna[o + 1])) {
        double z = (q[1] - v) / scale[1];
        d += z * z;
      }
      if (found == k && d >= worst) {
        continue;
      }
      if (p2 && Double.isFinite(v = dna[o + 2])) {
        double z = (q[2] - v) / scale[2];
        d += z * z;
      }
      if (p3 && Double.isFinite(v = dna[o + 3])) {
        double z = (q[3] - v) / scale[3];
        d += z * z;
      }
      if (found == k && d >= worst) {
        continue;
      }
      if (p4 && Double.isFinite(v = dna[o + 4])) {
        double z = (q[4] - v) / scale[4];
        d += z * z;
      }
      if ((found == k && d >= worst) || (exclude != null && exclude.equals(peers.get(i).vm()))) {
        continue;
      }
      insert(d, i, found < k ? found++ : k - 1, best, bestD);
      worst = bestD[k - 1];
    }
    return found;
  }

  /** Puts peer i with distance d in its place among best[0..pos], dropping what was at pos. */
  private static void insert(double d, int i, int pos, int[] best, double[] bestD) {
    while (pos > 0 && bestD[pos - 1] > d) {
      best[pos] = best[pos - 1];
      bestD[pos] = bestD[pos - 1];
      pos--;
    }
    best[pos] = i;
    bestD[pos] = d;
  }
}
