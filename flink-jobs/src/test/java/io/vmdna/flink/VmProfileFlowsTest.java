package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.ConntrackFlows;
import io.vmdna.models.dna.DnaExtractor;
import io.vmdna.models.dna.FlowRecord;
import io.vmdna.store.DnaRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Flow records reach the VM's DNA (its traffic features) through the profile's second input. */
class VmProfileFlowsTest {
  private static final long T0 = 1_375_308_000L;
  private static final int N = 300;
  private static final String GUEST = "192.168.122.10";

  /** Two flows of the guest as {@code conntrack -L} prints them (with byte accounting). */
  private static final List<String> TABLE =
      List.of(
          "tcp      6 431999 ESTABLISHED src=192.168.122.10 dst=10.0.0.5 sport=40000 dport=443"
              + " packets=10 bytes=5000 src=10.0.0.5 dst=192.168.122.10 sport=443 dport=40000"
              + " packets=8 bytes=20000 [ASSURED] mark=0 use=1",
          "udp      17 29 src=192.168.122.10 dst=10.0.0.53 sport=5353 dport=53 packets=1 bytes=60"
              + " src=10.0.0.53 dst=192.168.122.10 sport=53 dport=5353 packets=1 bytes=120 mark=0"
              + " use=1",
          "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.");

  private static final ProfilerConfig CONFIG =
      ProfilerConfig.defaults(Map.of("h", 100_000.0)).withForecastModel(ProfilerConfig.TREND);

  private static VmSample sample(int i) {
    double pct = 20 + 10 * Math.sin(i / 20.0);
    return new VmSample(
        "vm-1", "h", T0 + 300L * i, 2, 5000, pct * 50, pct, 4e6, 1e6, 3, 4, 5 + i % 3, 6);
  }

  /** The table read at sample {@code i}: the guest's flows at that time. */
  private static List<FlowRecord> flowsAt(int i) {
    return ConntrackFlows.parse(TABLE, Map.of(GUEST, "vm-1"), T0 + 300L * i, "fixture");
  }

  private static KeyedTwoInputStreamOperatorTestHarness<String, VmSample, FlowRecord, VmProfile>
      harness() throws Exception {
    return new KeyedTwoInputStreamOperatorTestHarness<>(
        new KeyedCoProcessOperator<>(new VmProfileFlowsFunction(CONFIG)),
        VmSample::vmId,
        FlowRecord::vmId,
        Types.STRING);
  }

  /** Feeds samples [from, to), with the flow table read every hour if {@code flows}. */
  private static void feed(
      KeyedTwoInputStreamOperatorTestHarness<String, VmSample, FlowRecord, VmProfile> h,
      int from,
      int to,
      boolean flows)
      throws Exception {
    for (int i = from; i < to; i++) {
      if (flows && i % 12 == 0) {
        for (FlowRecord f : flowsAt(i)) {
          h.processElement2(new StreamRecord<>(f, f.timestampS() * 1000));
        }
      }
      VmSample s = sample(i);
      h.processElement1(new StreamRecord<>(s, s.timestampS() * 1000));
    }
  }

  private static List<DnaRecord> dnaHistory(
      KeyedTwoInputStreamOperatorTestHarness<String, VmSample, FlowRecord, VmProfile> h) {
    List<DnaRecord> out = new ArrayList<>();
    h.getSideOutput(VmProfileFunction.DNA_HISTORY).forEach(r -> out.add(r.getValue()));
    return out;
  }

  @Test
  void flowsShouldGiveTheDnaItsTrafficFeaturesAndSurviveARestore() throws Exception {
    // given the same samples with and without the conntrack table read every hour
    List<DnaRecord> with;
    List<DnaRecord> without;
    try (var h = harness()) {
      h.open();
      feed(h, 0, N, true);
      with = dnaHistory(h);
    }
    try (var h = harness()) {
      h.open();
      feed(h, 0, N, false);
      without = dnaHistory(h);
    }

    // then the DNAs after the first flow differ (the traffic features are no longer absent)
    assertThat(with).hasSameSizeAs(without).hasSizeGreaterThan(1);
    assertThat(with.getLast().embedding()).isNotEqualTo(without.getLast().embedding());

    // and a task restored from a checkpoint taken between flows computes the same DNAs
    OperatorSubtaskState snapshot;
    List<DnaRecord> resumed;
    try (var h = harness()) {
      h.open();
      feed(h, 0, 150, true);
      resumed = dnaHistory(h);
      snapshot = h.snapshot(1, 0);
    }
    try (var h = harness()) {
      h.initializeState(snapshot);
      h.open();
      feed(h, 150, N, true);
      resumed.addAll(dnaHistory(h));
    }
    assertThat(resumed).isEqualTo(with);
  }

  @Test
  void theDnaColumnsShouldCarryTheLastDaysFlowsAndTheirProtocolShares() {
    VmProfiler profiler = new VmProfiler(CONFIG);
    VmProfiler.State st = new VmProfiler.State();
    st.flows = new FlowWindow();
    for (int i = 0; i < 100; i++) {
      profiler.profile(st, sample(i));
      if (i % 12 == 0) {
        flowsAt(i).forEach(st.flows::add);
      }
    }

    var series = profiler.dnaColumns(st);
    assertThat(series.flows()).hasSize(2 * 9).allMatch(f -> f.vmId().equals("vm-1"));
    var dna = new DnaExtractor().compute(series);
    // bytes both ways: tcp 5,000 + 20,000, udp 60 + 120
    assertThat(dna.feature("flow_tcp_share_24h")).isCloseTo(25_000.0 / 25_180, within());
    assertThat(dna.feature("flow_udp_share_24h")).isCloseTo(180.0 / 25_180, within());
    assertThat(dna.feature("flow_dst_count_log2_24h")).isEqualTo(1.0); // two destinations

    // without flows the same features are absent, not 0
    VmProfiler.State bare = new VmProfiler.State();
    for (int i = 0; i < 100; i++) {
      profiler.profile(bare, sample(i));
    }
    assertThat(new DnaExtractor().compute(profiler.dnaColumns(bare)).feature("flow_tcp_share_24h"))
        .isNaN();
  }

  @Test
  void theFlowWindowShouldStayBoundedKeepingTheNewestAndBeAFlinkPojo() {
    assertThat(TypeInformation.of(FlowWindow.class)).isInstanceOf(PojoTypeInfo.class);

    FlowWindow w = new FlowWindow();
    // a day and a half of records, far more than fit: older than a day go first
    int n = 3 * FlowWindow.MAX_FLOWS;
    for (int i = 0; i < n; i++) {
      w.add(new FlowRecord("vm-1", T0 + 65L * i, "tcp", "10.0.0." + (i % 7), i));
    }
    assertThat(w.size).isBetween(FlowWindow.MAX_FLOWS / 2, FlowWindow.MAX_FLOWS);
    List<FlowRecord> kept = w.records("vm-1");
    assertThat(kept.getLast().bytes()).isEqualTo(n - 1);
    assertThat(kept)
        .isSortedAccordingTo(java.util.Comparator.comparingLong(FlowRecord::timestampS));
    // at most a day and an hour older than the newest (expired records go about once an hour)
    assertThat(kept.getFirst().timestampS())
        .isGreaterThan(T0 + 65L * (n - 1) - FlowWindow.KEEP_S - 3_600);

    // all within the day: the oldest quarter goes, and is counted
    FlowWindow busy = new FlowWindow();
    for (int i = 0; i <= FlowWindow.MAX_FLOWS; i++) {
      busy.add(new FlowRecord("vm-1", T0 + i, "udp", "10.0.0.1", 1));
    }
    assertThat(busy.dropped).isEqualTo(FlowWindow.MAX_FLOWS / 4);
    assertThat(busy.size).isEqualTo(FlowWindow.MAX_FLOWS - FlowWindow.MAX_FLOWS / 4 + 1);
    assertThat(busy.records("vm-1").getFirst().timestampS())
        .isEqualTo(T0 + FlowWindow.MAX_FLOWS / 4);
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
