package io.vmdna.models.dna;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vmdna.models.VmSample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class DnaExtractorTest {
  private static final long DAY = 86_400;
  private final DnaExtractor extractor = new DnaExtractor();

  /** Five-minute samples from midnight UTC, CPU % from {@code cpu}, memory 40 % of 4 GiB. */
  static List<VmSample> samples(int n, IntToDoubleFunction cpu) {
    List<VmSample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double pct = cpu.applyAsDouble(i);
      out.add(
          new VmSample(
              "vm-1",
              "h",
              1_700_006_400L + 300L * i,
              4,
              10_000,
              pct * 100,
              pct,
              4194304,
              1677721.6,
              30,
              10,
              3,
              1));
    }
    return out;
  }

  static double f(Dna dna, String name) {
    return dna.feature(name);
  }

  @Test
  void windowStatisticsShouldDescribeTheLastHourAndDay() {
    // a ramp: CPU % = index, so the last hour holds 276..287 and the day 0..287
    Dna dna = extractor.compute(DnaSeries.of(samples(288, i -> i)));

    assertThat(dna.schemaVersion()).isEqualTo(DnaSchema.VERSION);
    assertThat(dna.features()).hasSize(DnaSchema.size());
    assertThat(dna.samples()).isEqualTo(288);
    assertThat(f(dna, "cpu_pct_mean_1h")).isCloseTo(281.5, within(1e-9));
    assertThat(f(dna, "cpu_pct_min_1h")).isEqualTo(276);
    assertThat(f(dna, "cpu_pct_max_1h")).isEqualTo(287);
    assertThat(f(dna, "cpu_pct_p50_24h")).isCloseTo(143.5, within(1e-9));
    assertThat(f(dna, "cpu_pct_p95_24h")).isCloseTo(272.65, within(1e-9));
    assertThat(f(dna, "cpu_pct_slope_ph_1h")).isCloseTo(12, within(1e-9)); // 12 samples an hour
    assertThat(f(dna, "cpu_pct_slope_ph_24h")).isCloseTo(12, within(1e-9));
    assertThat(f(dna, "cpu_pct_zero_frac_24h")).isCloseTo(1.0 / 288, within(1e-12));
    assertThat(f(dna, "mem_pct_mean_24h")).isCloseTo(40, within(1e-9));
    assertThat(f(dna, "mem_pct_std_24h")).isCloseTo(0, within(1e-9));
    assertThat(f(dna, "mem_pct_burstiness_24h")).isCloseTo(-1, within(1e-9));
    assertThat(f(dna, "disk_read_log_mean_24h")).isCloseTo(Math.log1p(30), within(1e-12));
    assertThat(f(dna, "disk_read_share_24h")).isCloseTo(0.75, within(1e-12));
    assertThat(f(dna, "net_rx_share_24h")).isCloseTo(0.75, within(1e-12));
    assertThat(f(dna, "cpu_cores_log2")).isEqualTo(2);
    assertThat(f(dna, "mem_gib_log2")).isEqualTo(2);
  }

  @Test
  void aDailyWaveShouldShowInPeriodicityAndTimeOfDay() {
    // three days of a daily sine: CPU % = 50 + 30 sin(2π t / day)
    List<VmSample> s = samples(3 * 288, i -> 50 + 30 * Math.sin(2 * Math.PI * i / 288.0));
    Dna dna = extractor.compute(DnaSeries.of(s));

    assertThat(f(dna, "cpu_pct_power_24h")).isCloseTo(1, within(0.01));
    assertThat(f(dna, "cpu_pct_power_1h")).isCloseTo(0, within(0.01));
    assertThat(f(dna, "cpu_pct_acf_24h")).isCloseTo(1, within(1e-9));
    assertThat(f(dna, "cpu_pct_acf_1h")).isCloseTo(Math.cos(2 * Math.PI / 24), within(0.01));
    // the wave is high from 00:00 to 12:00 UTC and low after
    assertThat(f(dna, "cpu_pct_tod_04h")).isGreaterThan(20);
    assertThat(f(dna, "cpu_pct_tod_16h")).isLessThan(-20);
    assertThat(f(dna, "corr_cpu_mem_24h")).isNaN(); // memory is constant: no correlation
  }

  @Test
  void whatCannotBeComputedShouldBeAbsentNotZero() {
    Dna first = extractor.compute(DnaSeries.of(samples(1, i -> 0)));

    assertThat(f(first, "cpu_pct_std_1h")).isNaN();
    assertThat(f(first, "cpu_pct_slope_ph_24h")).isNaN();
    assertThat(f(first, "cpu_pct_acf_24h")).isNaN();
    assertThat(f(first, "cpu_pct_power_24h")).isNaN(); // under two days of history
    assertThat(f(first, "mem_major_faults_ps_mean_1h")).isNaN(); // not given by this source
    assertThat(f(first, "app_rps_p95_24h")).isNaN();
    assertThat(f(first, "flow_tcp_share_24h")).isNaN(); // no flow records
    assertThat(f(first, "disk_read_share_24h")).isCloseTo(0.75, within(1e-12));
    assertThat(f(first, "cpu_pct_zero_frac_1h")).isEqualTo(1);
  }

  @Test
  void optionalMetricsAndFlowsShouldBeReadWhenGiven() {
    List<VmSample> s = samples(288, i -> 10);
    double[] faults = new double[288];
    for (int i = 0; i < faults.length; i++) {
      faults[i] = i < 276 ? 2 : (i % 2 == 0 ? 10 : Double.NaN); // NaN: a sample without it
    }
    long t = s.getLast().timestampS();
    List<FlowRecord> flows =
        List.of(
            new FlowRecord("vm-1", t - 2 * DAY, "tcp", "10.0.0.9", 5_000), // older than a day
            new FlowRecord("vm-1", t - 60, "tcp", "10.0.0.2", 600),
            new FlowRecord("vm-1", t - 60, "udp", "10.0.0.3", 200),
            new FlowRecord("vm-1", t, "ICMP", "10.0.0.4", 100),
            new FlowRecord("vm-1", t, "sctp", "10.0.0.5", 100));
    DnaSeries series =
        DnaSeries.of(s).withExtra(DnaSeries.Extra.MAJOR_FAULTS_PS, faults).withFlows(flows);

    Dna dna = extractor.compute(series);

    assertThat(f(dna, "mem_major_faults_ps_mean_1h")).isEqualTo(10);
    assertThat(f(dna, "mem_major_faults_ps_mean_24h")).isCloseTo(2 + 48.0 / 282, within(1e-9));
    assertThat(f(dna, "mem_major_faults_ps_p95_24h")).isEqualTo(2); // 6 of 282 are 10
    assertThat(f(dna, "mem_swap_kbps_mean_24h")).isNaN();
    assertThat(f(dna, "flow_tcp_share_24h")).isCloseTo(0.6, within(1e-12));
    assertThat(f(dna, "flow_udp_share_24h")).isCloseTo(0.2, within(1e-12));
    assertThat(f(dna, "flow_icmp_share_24h")).isCloseTo(0.1, within(1e-12));
    assertThat(f(dna, "flow_other_share_24h")).isCloseTo(0.1, within(1e-12));
    double h = -(0.6 * log2(0.6) + 0.2 * log2(0.2) + 2 * 0.1 * log2(0.1));
    assertThat(f(dna, "flow_dst_entropy_bits_24h")).isCloseTo(h, within(1e-12));
    assertThat(f(dna, "flow_dst_count_log2_24h")).isEqualTo(2);
  }

  @Test
  void flowsWithoutByteCountsShouldWeighEachFlowOnce() {
    List<VmSample> s = samples(12, i -> 10);
    long t = s.getLast().timestampS();
    List<FlowRecord> flows =
        List.of(
            new FlowRecord("vm-1", t, "tcp", "a", 0),
            new FlowRecord("vm-1", t, "tcp", "b", 0),
            new FlowRecord("vm-1", t, "udp", "b", 0),
            new FlowRecord("vm-1", t, "udp", "c", 0));

    Dna dna = extractor.compute(DnaSeries.of(s).withFlows(flows));

    assertThat(f(dna, "flow_tcp_share_24h")).isEqualTo(0.5);
    assertThat(f(dna, "flow_dst_entropy_bits_24h")).isCloseTo(1.5, within(1e-12));
  }

  @Test
  void memoryGrowthShouldBeReportedPerDay() {
    List<VmSample> s = new ArrayList<>();
    for (int i = 0; i < 576; i++) {
      double memKb = 4194304 * (0.2 + 0.1 * i / 288.0); // +10 points of memory a day
      s.add(new VmSample("vm", "h", 300L * i, 1, 1000, 100, 10, 4194304, memKb, 0, 0, 0, 0));
    }
    Dna dna = extractor.compute(DnaSeries.of(s));

    assertThat(f(dna, "mem_growth_pct_pd")).isCloseTo(10, within(1e-6));
    assertThat(f(dna, "disk_read_share_24h")).isNaN(); // no disk traffic at all
  }

  @Test
  void theDnaShouldOnlyReadThePast() {
    List<VmSample> s = samples(600, i -> i < 400 ? 10 : 90);
    DnaSeries series = DnaSeries.of(s);
    double[] atIndex = extractor.features(series, 399);
    double[] alone = extractor.features(DnaSeries.of(s.subList(0, 400)), 399);

    assertThat(atIndex).containsExactly(alone);
  }

  @Test
  void givenDerivedColumnsShouldGiveTheSameDnaToTheLastBit() {
    // given nine days of varied traffic (zeros, bursts, orders of magnitude)
    List<VmSample> s = new ArrayList<>();
    java.util.Random rnd = new java.util.Random(5);
    for (VmSample x : samples(9 * 288, i -> 50 + 40 * Math.sin(i / 20.0))) {
      double scale = Math.pow(10, rnd.nextInt(6));
      s.add(
          new VmSample(
              x.vmId(),
              x.hostId(),
              x.timestampS(),
              x.cpuCores(),
              x.cpuProvisionedMhz(),
              x.cpuUsageMhz(),
              x.cpuUsagePct(),
              x.memProvisionedKb(),
              x.memUsageKb(),
              rnd.nextInt(4) == 0 ? 0 : rnd.nextDouble() * scale,
              rnd.nextDouble() * scale,
              rnd.nextDouble() * scale,
              rnd.nextInt(3) == 0 ? 0 : rnd.nextDouble() * scale));
    }
    DnaSeries series = DnaSeries.of(s);
    DerivedColumns logs = DerivedColumns.of(series);

    // when the DNA is computed with and without them, in the middle (a cut both sides), at the end
    // of more than a week (a cut before) and within the first day
    for (int end : new int[] {100, 3 * 288, 9 * 288 - 1}) {
      double[] computed = extractor.features(series, end);
      double[] given = extractor.features(series, end, logs);

      // then bit for bit the same
      assertThat(given).as("at %d", end).containsExactly(computed);
    }
  }

  @Test
  void derivedColumnsShorterThanTheSeriesShouldBeRefused() {
    DnaSeries series = DnaSeries.of(samples(10, i -> 1));
    DerivedColumns shorter = DerivedColumns.of(DnaSeries.of(samples(9, i -> 1)));

    assertThatThrownBy(() -> extractor.compute(series, 9, shorter))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("derived columns shorter than the 10 samples of VM vm-1");
  }

  @Test
  void badInputShouldBeRefusedSayingWhat() {
    DnaSeries series = DnaSeries.of(samples(3, i -> 1));
    assertThatThrownBy(() -> extractor.features(series, 3))
        .hasMessageContaining("sample index 3 outside the series of VM vm-1 (3 samples)");
    assertThatThrownBy(() -> extractor.compute(DnaSeries.of(List.of())))
        .hasMessageContaining("empty series");
    List<VmSample> back = new ArrayList<>(samples(3, i -> 1));
    back.add(back.getFirst());
    assertThatThrownBy(() -> DnaSeries.of(back))
        .hasMessageContaining("time does not increase at index 3");
    assertThatThrownBy(() -> series.withExtra(DnaSeries.Extra.APP_RPS, new double[2]))
        .hasMessageContaining("column app_rps has 2 values for 3 timestamps");
    assertThatThrownBy(() -> new FlowRecord("vm", 0, "tcp", "x", -1))
        .hasMessageContaining("negative bytes -1");
    assertThatThrownBy(() -> DnaSchema.indexOf("colour"))
        .hasMessageContaining("unknown DNA feature 'colour'");
    assertThatThrownBy(() -> new Dna(7, 0, 1, List.of()))
        .hasMessageContaining("unknown DNA schema 7");
  }

  @Test
  void schemaNamesShouldBeUniqueAndIndexed() {
    assertThat(DnaSchema.NAMES).doesNotHaveDuplicates().hasSize(157);
    for (int i = 0; i < DnaSchema.size(); i++) {
      assertThat(DnaSchema.indexOf(DnaSchema.NAMES.get(i))).isEqualTo(i);
    }
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /** The pairs as defined: from the first sample at or after t − lag − 150 s, the nearer of two. */
  private static int[] partnersByDefinition(long[] ts, int from, int end, long lag) {
    int[] out = new int[end - from + 1];
    for (int i = from; i <= end; i++) {
      long want = ts[i] - lag;
      int j = from;
      while (j < i && ts[j] < want - 150) {
        j++;
      }
      int best = -1;
      long bestD = 151;
      for (int c = j; c < i && c <= j + 1; c++) {
        if (Math.abs(ts[c] - want) < bestD) {
          best = c;
          bestD = Math.abs(ts[c] - want);
        }
      }
      out[i - from] = best;
    }
    return out;
  }

  @Test
  void theShortcutForRegularStretchesShouldFindThePairsTheDefinitionFinds() {
    // given regular stretches with gaps, jitter, doubled samples and shifted phases
    java.util.Random rnd = new java.util.Random(11);
    for (int n = 0; n < 300; n++) {
      long[] ts = new long[200 + rnd.nextInt(800)];
      long t = 1_375_308_000L + rnd.nextInt(300);
      for (int i = 0; i < ts.length; i++) {
        int kind = rnd.nextInt(100);
        t +=
            kind < 80
                ? 300
                : kind < 90 ? 300 + rnd.nextInt(61) - 30 : kind < 95 ? 1 + rnd.nextInt(200) : 900;
        ts[i] = t;
      }
      int from = rnd.nextInt(ts.length / 2);
      for (long lag : new long[] {3_600, 86_400, 600, 299}) {
        // when / then
        assertThat(DnaExtractor.partners(ts, from, ts.length - 1, lag))
            .as("series %d, lag %d", n, lag)
            .containsExactly(partnersByDefinition(ts, from, ts.length - 1, lag));
      }
    }
  }

  /**
   * The pairs of an autocorrelation are found on timestamps: the earlier sample nearest to t − lag
   * within 150 s, none across a gap; and the week's waves come from the phase tables with exactly
   * the values the trigonometric calls give.
   */
  @Test
  void shouldPairSamplesAcrossTheLagOnTimestampsAndLookWavesUpExactly() {
    long[] ts = {0, 300, 600, 900, 1_500, 1_790, 2_100, 3_900};
    int[] p = DnaExtractor.partners(ts, 0, ts.length - 1, 600);
    // 600 -> 0; 900 -> 300; 1500 -> 900; 1790 -> 1190: the nearest, 1500, is 310 s off;
    // 2100 -> 1500; 3900 -> 3300: nothing within 150 s
    assertThat(p).containsExactly(-1, -1, 0, 1, 3, -1, 4, -1);
    assertThat(DnaExtractor.partners(ts, 2, 6, 600)).containsExactly(-1, -1, 3, -1, 4);

    long[] week = new long[2_016];
    for (int i = 0; i < week.length; i++) {
      week[i] = 1_375_308_176L + 300L * i + (i * 7919L) % 23; // Bitbrains-like jitter
    }
    for (long period : new long[] {3_600, 86_400}) {
      DnaExtractor.Wave w = new DnaExtractor.Wave(week, 0, week.length - 1, period);
      for (int i = 0; i < week.length; i++) {
        double phase = 2 * Math.PI / period * Math.floorMod(week[i], period);
        assertThat(w.cos[i]).isEqualTo(Math.cos(phase));
        assertThat(w.sin[i]).isEqualTo(Math.sin(phase));
      }
    }
    assertThatThrownBy(() -> new DnaExtractor.Wave(week, 0, 10, 600))
        .hasMessageContaining("no phase table for a period of 600 s");
  }
}
