package io.vmdna.models.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.VmSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForecastFeaturesTest {

  private static float feature(float[] row, String name) {
    return row[ForecastFeatures.NAMES.indexOf(name)];
  }

  private static float[] features(List<VmSample> s, int t, int h) {
    float[] out = new float[ForecastFeatures.SIZE + 1];
    out[ForecastFeatures.SIZE] = 42; // sentinel: fill must not write past its row
    ForecastFeatures.fill(SeriesArrays.of(s), t, h, out, 0);
    assertThat(out[ForecastFeatures.SIZE]).isEqualTo(42);
    return Arrays.copyOf(out, ForecastFeatures.SIZE);
  }

  @Test
  void shouldReadOnlyThePast() {
    // given
    List<VmSample> s = SyntheticTraces.series("1", 9, 1);
    int t = 8 * 288;
    float[] before = features(s, t, 6);

    // when the future changes
    List<VmSample> changed = new ArrayList<>(s);
    for (int i = t + 1; i < s.size(); i++) {
      VmSample x = s.get(i);
      changed.set(
          i,
          new VmSample(
              x.vmId(), "", x.timestampS(), 4, 10_000, 9_900, 99, 8e6, 8e6, 1e4, 1e4, 1e4, 1e4));
    }

    // then
    assertThat(features(changed, t, 6)).containsExactly(before);
  }

  @Test
  void shouldMarkMissingHistoryAsMissingNotZero() {
    float[] f = features(SyntheticTraces.series("1", 1, 1), 0, 6);

    assertThat(feature(f, "cpu_lag1_rel")).isNaN();
    assertThat(feature(f, "cpu_yday_at_target_rel")).isNaN();
    assertThat(feature(f, "cpu_mean_same_time_7d_rel")).isNaN();
    assertThat(feature(f, "history_hours")).isZero();
    assertThat(feature(f, "cpu_now")).isNotNaN();
  }

  @Test
  void shouldAlignSameTimeYesterdayOnTimestampsAcrossAGap() {
    // given two days with a 2-hour gap in the second day, before the forecast time
    List<VmSample> s = new ArrayList<>(SyntheticTraces.series("1", 2, 3));
    long gapFrom = SyntheticTraces.START + 86_400 + 6 * 3600;
    s.removeIf(x -> x.timestampS() >= gapFrom && x.timestampS() < gapFrom + 7200);
    int t = s.size() - 20;
    long target = s.get(t).timestampS() + 6 * 300;
    double yday =
        s.stream()
            .filter(x -> x.timestampS() == target - 86_400)
            .findFirst()
            .orElseThrow()
            .cpuUsagePct();

    // when
    float[] f = features(s, t, 6);

    // then: yesterday's value at the target time, not the one 288 samples back
    assertThat((double) feature(f, "cpu_yday_at_target_rel") + s.get(t).cpuUsagePct())
        .isCloseTo(yday, org.assertj.core.data.Offset.offset(1e-3));
  }

  @Test
  void shouldGiveTheTargetsTimeOfDayAndWeekday() {
    List<VmSample> s = SyntheticTraces.series("1", 1, 1);
    // 2013-07-01 (a Monday) 00:00 + 12 samples: forecasting 01:00 + 30 min
    float[] f = features(s, 12, 6);

    assertThat(feature(f, "target_hour")).isEqualTo(1);
    assertThat(feature(f, "target_dow")).isZero();
  }

  @Test
  void shouldRejectSamplesOutOfTimeOrderNamingTheIndex() {
    List<VmSample> s = new ArrayList<>(SyntheticTraces.series("7", 1, 1));
    s.set(5, s.get(3));

    assertThatThrownBy(() -> SeriesArrays.of(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("VM 7")
        .hasMessageContaining("index 5");
  }

  @Test
  void shouldFindTheNearestSampleWithinHalfAnIntervalAndNeverAfterTheLimit() {
    SeriesArrays a = SeriesArrays.of(SyntheticTraces.series("1", 1, 1));
    long t0 = SyntheticTraces.START;

    assertThat(a.indexNear(t0 + 610, 10)).isEqualTo(2);
    assertThat(a.indexNear(t0 + 450, 10)).isIn(1, 2);
    assertThat(a.indexNear(t0 + 3000, 5)).isEqualTo(-1);
    assertThat(a.indexNear(t0 - 151, 10)).isEqualTo(-1);
  }

  @Test
  void shouldFindWhatAWholeRangeSearchFindsOnIrregularSeries() {
    // given series with jitter, gaps of hours and days, and bursts of close samples
    java.util.Random rnd = new java.util.Random(3);
    for (int n = 0; n < 200; n++) {
      int size = 1 + rnd.nextInt(3_000);
      long[] ts = new long[size];
      long t = 1_370_000_000L + rnd.nextInt(86_400);
      for (int i = 0; i < size; i++) {
        int kind = rnd.nextInt(100);
        t +=
            kind < 2
                ? 3_600 * (1 + rnd.nextInt(48))
                : kind < 10 ? 1 + rnd.nextInt(30) : 300 + rnd.nextInt(41) - 20;
        ts[i] = t;
      }
      SeriesArrays a =
          new SeriesArrays(
              "v",
              ts,
              new double[size],
              new double[size],
              new double[size],
              new double[size],
              new int[size],
              new double[size]);

      // when times before, inside and after the series are looked up, up to any index
      for (int k = 0; k < 200; k++) {
        int upTo = rnd.nextInt(size + 1) - 1;
        long q = ts[0] - 1_000 + (long) (rnd.nextDouble() * (ts[size - 1] - ts[0] + 2_000));
        if (k % 4 == 0 && upTo >= 0) {
          q = ts[rnd.nextInt(upTo + 1)] + rnd.nextInt(3) - 1; // on or next to a sample
        }

        // then the guided search answers as the whole-range one
        assertThat(a.indexNear(q, upTo))
            .as("series %d, time %d, up to %d", n, q, upTo)
            .isEqualTo(SeriesArrays.indexNear(ts, q, upTo));
      }
    }
  }
}
