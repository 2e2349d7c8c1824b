package io.vmdna.models.predict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cold start by similarity: the training fleet's VMs, each with a small DNA vector (CPU mean and
 * spread, cores, memory %, network) and its daily profile (mean CPU % and share of samples above
 * the level, per hour of day). A VM is matched to its {@link #K} nearest peers by the same DNA
 * computed from its own recent history (the feature row holds it), and the peers' profile at the
 * target's hour becomes two features. A VM with hours of history thus gets a daily pattern borrowed
 * from VMs that behave like it; with a week of history the model leans on its own same-time
 * features instead.
 *
 * <p>Saved with the model ({@code peers.json}). In training, a VM's own profile is left out of its
 * peers (it would be the future). Immutable; thread-safe.
 *
 * @param peers the library
 * @param scale per DNA dimension, the spread used to standardise distances
 */
public record PeerLibrary(List<Peer> peers, double[] scale) {

  /** Peers averaged per forecast. */
  public static final int K = 5;

  /** The file name in a model folder. */
  public static final String FILE = "peers.json";

  private static final int HOURS = 24;

  /** Dimensions of the DNA vector. */
  static final int DIMS = 5;

  /**
   * One VM of the training fleet.
   *
   * @param vm its id
   * @param dna CPU mean %, log1p of CPU std %, cores, memory %, log1p network KiB/s (the share of
   *     time above the level is left out: over a month it is never 0 for a bursty VM, over the few
   *     hours a new VM has it mostly is, and the mismatch chose idle peers)
   * @param hourlyCpuPct mean CPU % per hour of day (UTC), NaN for hours without samples
   * @param hourlyHigh share of samples above the level per hour of day
   */
  public record Peer(String vm, double[] dna, double[] hourlyCpuPct, double[] hourlyHigh) {}

  /** Builds the library from whole training series. */
  public static PeerLibrary build(List<SeriesArrays> fleet) {
    List<Peer> peers = new ArrayList<>();
    for (SeriesArrays s : fleet) {
      int n = s.size();
      if (n == 0) {
        continue;
      }
      double[] c = s.cpuPct();
      double mean = ForecastFeatures.mean(c, 0, n - 1);
      double[] hourly = new double[HOURS];
      double[] high = new double[HOURS];
      int[] count = new int[HOURS];
      for (int i = 0; i < n; i++) {
        int hour = (int) (Math.floorMod(s.timestampS()[i], 86_400L) / 3600);
        hourly[hour] += c[i];
        high[hour] += c[i] > ForecastFeatures.HIGH_CPU_PCT ? 1 : 0;
        count[hour]++;
      }
      for (int h = 0; h < HOURS; h++) {
        hourly[h] = count[h] == 0 ? Double.NaN : hourly[h] / count[h];
        high[h] = count[h] == 0 ? Double.NaN : high[h] / count[h];
      }
      double memMean = 0;
      int memN = 0;
      double net = 0;
      for (int i = 0; i < n; i++) {
        if (Double.isFinite(s.memPct()[i])) {
          memMean += s.memPct()[i];
          memN++;
        }
        net += s.netKbps()[i];
      }
      double[] dna = {
        mean,
        Math.log1p(ForecastFeatures.std(c, 0, n - 1, mean)),
        s.cpuCores()[n - 1],
        memN == 0 ? Double.NaN : memMean / memN,
        Math.log1p(net / n)
      };
      peers.add(new Peer(s.vmId(), dna, hourly, high));
    }
    double[] scale = new double[DIMS];
    for (int d = 0; d < scale.length; d++) {
      scale[d] = spread(peers, d);
    }
    return new PeerLibrary(List.copyOf(peers), scale);
  }

  /** Standard deviation of one DNA dimension over the peers (1 when it does not vary). */
  private static double spread(List<Peer> peers, int d) {
    double[] v = peers.stream().mapToDouble(p -> p.dna()[d]).filter(Double::isFinite).toArray();
    if (v.length == 0) {
      return 1;
    }
    double m = Arrays.stream(v).average().orElse(0);
    double sd = Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / v.length);
    return sd > 0 ? sd : 1;
  }

  /**
   * Fills the peer features of rows built by {@link ForecastFeatures#fill}. Indexes the library on
   * every call: a caller with many calls keeps a {@link #search()} instead.
   *
   * @param x rows, row-major
   * @param rows how many
   * @param exclude per row, the VM id to leave out of its peers (training), or null for none
   */
  public void complete(float[] x, int rows, String[] exclude) {
    search().complete(x, rows, exclude);
  }

  /** The library indexed for nearest-peer queries (immutable, thread-safe). */
  PeerSearch search() {
    return new PeerSearch(this);
  }
}
