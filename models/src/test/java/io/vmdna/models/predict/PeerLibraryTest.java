package io.vmdna.models.predict;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.models.VmSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerLibraryTest {
  private static final int PEER_CPU = ForecastFeatures.NAMES.indexOf("peer_cpu_at_target_rel");
  private static final int PEER_HIGH = ForecastFeatures.NAMES.indexOf("peer_frac_high_at_target");

  /** A busy VM whose daily burst at 14:00 always exceeds 80 %, or an idle one. */
  private static SeriesArrays vm(String id, boolean idle, int days) {
    List<VmSample> s = new ArrayList<>();
    for (VmSample x : SyntheticTraces.series(id, days, id.hashCode())) {
      double pct = idle ? x.cpuUsagePct() * 0.1 : Math.min(100, x.cpuUsagePct() + 20);
      s.add(
          new VmSample(id, "", x.timestampS(), 4, 10_000, pct * 100, pct, 8e6, 2e6, 1, 1, 10, 10));
    }
    return SeriesArrays.of(s);
  }

  private static float[] row(SeriesArrays s, int t, int h) {
    float[] x = new float[ForecastFeatures.SIZE];
    ForecastFeatures.fill(s, t, h, x, 0);
    return x;
  }

  @Test
  void shouldBorrowTheDailyProfileOfTheMostSimilarVms() {
    // given a library of six bursty and six idle VMs
    List<SeriesArrays> fleet = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      fleet.add(vm("busy" + i, false, 3));
      fleet.add(vm("idle" + i, true, 3));
    }
    PeerLibrary lib = PeerLibrary.build(fleet);

    // when a new bursty VM with two hours of history forecasts 14:00 (13:30 + 30 min)
    SeriesArrays fresh = vm("new", false, 1);
    int t = 13 * 12 + 6; // 13:30
    float[] x = row(fresh, t, 6);
    assertThat(x[PEER_HIGH]).isNaN();
    lib.complete(x, 1, null);

    // then its peers are the bursty VMs, all above 80 % at 14:00
    assertThat(x[PEER_HIGH]).isEqualTo(1.0f);
    assertThat(x[PEER_CPU] + fresh.cpuPct()[t]).isGreaterThan(80);

    // and an idle VM borrows an idle profile
    SeriesArrays quiet = vm("quiet", true, 1);
    float[] y = row(quiet, t, 6);
    lib.complete(y, 1, null);
    assertThat(y[PEER_HIGH]).isLessThan(0.5f);
  }

  @Test
  void shouldLeaveTheExcludedVmOutOfItsPeers() {
    // given a library where one VM is unlike the rest
    List<SeriesArrays> fleet = new ArrayList<>();
    fleet.add(vm("odd", false, 2));
    for (int i = 0; i < 5; i++) {
      fleet.add(vm("idle" + i, true, 2));
    }
    PeerLibrary lib = PeerLibrary.build(fleet);
    float[] x = row(fleet.getFirst(), 13 * 12 + 6, 6);
    float[] y = x.clone();

    // when
    lib.complete(x, 1, null);
    lib.complete(y, 1, new String[] {"odd"});

    // then with itself among its peers it sees its own burst; without, only idle peers
    assertThat(x[PEER_HIGH]).isGreaterThan(0);
    assertThat(y[PEER_HIGH]).isZero();
  }

  /**
   * The plain scan's answer: every distance in full, then the k smallest by (distance, position).
   */
  private static int[] bruteForce(PeerLibrary lib, double[] q, String exclude) {
    List<double[]> all = new ArrayList<>();
    for (int i = 0; i < lib.peers().size(); i++) {
      PeerLibrary.Peer p = lib.peers().get(i);
      if (p.vm().equals(exclude)) {
        continue;
      }
      double d = 0;
      for (int j = 0; j < q.length; j++) {
        if (Double.isFinite(q[j]) && Double.isFinite(p.dna()[j])) {
          double z = (q[j] - p.dna()[j]) / lib.scale()[j];
          d += z * z;
        }
      }
      all.add(new double[] {d, i});
    }
    all.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
    return all.stream().limit(PeerLibrary.K).mapToInt(a -> (int) a[1]).toArray();
  }

  @Test
  void shouldFindExactlyThePeersAPlainScanFinds() {
    // given a library with duplicated peers (exact ties), peers missing dimensions, and a
    // coarse grid of CPU means (ties in the indexed dimension)
    java.util.Random rnd = new java.util.Random(7);
    List<PeerLibrary.Peer> peers = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      double[] dna = {
        5 * rnd.nextInt(20), rnd.nextDouble() * 3, 1 << rnd.nextInt(4), rnd.nextDouble() * 100, 4
      };
      if (i % 17 == 3) {
        dna[0] = Double.NaN;
      }
      if (i % 11 == 5) {
        dna[3] = Double.NaN;
      }
      double[] hourly = new double[24];
      java.util.Arrays.fill(hourly, i);
      peers.add(new PeerLibrary.Peer("vm" + i, dna, hourly, hourly));
      if (i % 9 == 0) {
        peers.add(new PeerLibrary.Peer("copy" + i, dna.clone(), hourly, hourly));
      }
    }
    PeerLibrary lib = new PeerLibrary(peers, new double[] {30, 1, 2, 25, 1});
    PeerSearch search = lib.search();

    // when 5,000 queries, some without a CPU mean or other dimensions, some excluding a peer
    int[] best = new int[PeerLibrary.K];
    double[] bestD = new double[PeerLibrary.K];
    for (int n = 0; n < 5_000; n++) {
      double[] q = {
        n % 5 == 0 ? 5 * rnd.nextInt(21) : rnd.nextDouble() * 110 - 5,
        rnd.nextDouble() * 3,
        1 << rnd.nextInt(4),
        rnd.nextDouble() * 100,
        rnd.nextInt(3) == 0 ? Double.NaN : 4
      };
      if (n % 13 == 0) {
        q[0] = Double.NaN;
      }
      String exclude = n % 7 == 0 ? peers.get(rnd.nextInt(peers.size())).vm() : null;
      int found = search.nearest(q, exclude, best, bestD);

      // then the same peers in the same order as the plain scan
      assertThat(java.util.Arrays.copyOf(best, found))
          .as("query %d %s", n, java.util.Arrays.toString(q))
          .containsExactly(bruteForce(lib, q, exclude));
    }
  }

  @Test
  void shouldFindFewerThanKInASmallLibrary() {
    // given three peers
    List<PeerLibrary.Peer> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      peers.add(
          new PeerLibrary.Peer(
              "vm" + i, new double[] {i, 0, 1, 50, 1}, new double[24], new double[24]));
    }
    PeerSearch search = new PeerLibrary(peers, new double[] {1, 1, 1, 1, 1}).search();

    // when
    int[] best = new int[PeerLibrary.K];
    int found =
        search.nearest(new double[] {2.2, 0, 1, 50, 1}, "vm1", best, new double[PeerLibrary.K]);

    // then the two left, nearest first
    assertThat(found).isEqualTo(2);
    assertThat(java.util.Arrays.copyOf(best, found)).containsExactly(2, 0);
  }

  @Test
  void shouldBreakATieForTheLastPlaceByLibraryOrder() {
    // given four peers just below the query and, farther down, a peer and its exact copy tied for
    // the fifth place
    List<PeerLibrary.Peer> peers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      peers.add(peer("near" + i, 50));
    }
    peers.add(peer("original", 40));
    peers.add(peer("copy", 40));
    PeerSearch search = new PeerLibrary(peers, new double[] {1, 1, 1, 1, 1}).search();

    // when
    int[] best = new int[PeerLibrary.K];
    int found =
        search.nearest(new double[] {51, 0, 1, 50, 1}, null, best, new double[PeerLibrary.K]);

    // then the fifth is the one earlier in the library, as a plain scan finds
    assertThat(java.util.Arrays.copyOf(best, found)).containsExactly(0, 1, 2, 3, 4);
  }

  private static PeerLibrary.Peer peer(String vm, double cpuMean) {
    return new PeerLibrary.Peer(
        vm, new double[] {cpuMean, 0, 1, 50, 1}, new double[24], new double[24]);
  }

  @Test
  void aLibraryWithTheWrongNumberOfDimensionsShouldBeRefusedSayingWhere() {
    List<PeerLibrary.Peer> peers = List.of(peer("vm0", 1));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new PeerLibrary(peers, new double[] {1, 1, 1, 1}).search())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4 scales for 5 DNA dimensions");
    List<PeerLibrary.Peer> short4 =
        List.of(new PeerLibrary.Peer("vm7", new double[4], new double[24], new double[24]));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new PeerLibrary(short4, new double[] {1, 1, 1, 1, 1}).search())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("peer vm7 has 4 DNA dimensions, expected 5");
  }
}
