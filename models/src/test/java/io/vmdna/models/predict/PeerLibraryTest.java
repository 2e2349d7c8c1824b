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
}
