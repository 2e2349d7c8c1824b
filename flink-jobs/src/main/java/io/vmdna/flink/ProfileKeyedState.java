package io.vmdna.flink;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.EwmaControlChart;
import io.vmdna.models.dna.FlowRecord;
import io.vmdna.store.DnaRecord;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;

/**
 * The profile's keyed state and its per-element steps, shared by {@link VmProfileFunction} (samples
 * only) and {@link VmProfileFlowsFunction} (samples and flow records): the history as columns
 * ({@link VmHistory}), the control chart, the anomaly ensemble ({@link AnomalyState}), the last DNA
 * and, with flows, the VM's last day of flow records ({@link FlowWindow}). The per-sample logic is
 * {@link VmProfiler}'s.
 *
 * <p>Not thread-safe: one per task, touched only by its keyed function's current key.
 */
final class ProfileKeyedState {
  private final VmProfiler profiler;
  private final ValueState<VmHistory> history;
  private final ValueState<EwmaControlChart.State> chart;
  private final ValueState<VmDna> lastDna;
  private final ValueState<AnomalyState> anomaly;
  private final ValueState<FlowWindow> flows; // null without flows
  private final LongCounter samples;
  private final LongCounter anomalies;
  private final LongCounter vms;
  private final LongCounter flowRecords;

  /** Registers the state (and, {@code withFlows}, the flow window) on {@code ctx}. */
  ProfileKeyedState(ProfilerConfig config, RuntimeContext ctx, boolean withFlows) {
    history =
        ctx.getState(new ValueStateDescriptor<>("history", TypeInformation.of(VmHistory.class)));
    chart =
        ctx.getState(
            new ValueStateDescriptor<>("chart", TypeInformation.of(EwmaControlChart.State.class)));
    lastDna = ctx.getState(new ValueStateDescriptor<>("dna", TypeInformation.of(VmDna.class)));
    anomaly =
        ctx.getState(new ValueStateDescriptor<>("anomaly", TypeInformation.of(AnomalyState.class)));
    flows =
        withFlows
            ? ctx.getState(
                new ValueStateDescriptor<>("flows", TypeInformation.of(FlowWindow.class)))
            : null;
    profiler = new VmProfiler(config);
    samples = ctx.getLongCounter(VmProfileFunction.SAMPLES);
    anomalies = ctx.getLongCounter(VmProfileFunction.ANOMALIES);
    vms = ctx.getLongCounter(VmProfileFunction.VMS);
    flowRecords = ctx.getLongCounter(VmProfileFunction.FLOWS);
  }

  /** Profiles one sample of the current key's VM: see {@link VmProfiler#profile}. */
  void sample(VmSample s, Consumer<DnaRecord> dnaHistory, Collector<VmProfile> out)
      throws IOException {
    samples.add(1);
    VmProfiler.State st = new VmProfiler.State();
    st.history = history.value();
    st.chart = chart.value();
    st.dna = lastDna.value();
    AnomalyState a = anomaly.value();
    st.anomaly = a == null ? null : a.ensemble();
    st.flows = flows == null ? null : flows.value();
    VmProfiler.Outcome o = profiler.profile(st, s);
    if (!o.accepted()) {
      return;
    }
    history.update(st.history);
    chart.update(st.chart);
    if (st.anomaly != null) {
      // the same object, changed in place: update() keeps it (the heap backend stores the
      // reference; another backend would write it)
      anomaly.update(a != null && a.ensemble() == st.anomaly ? a : new AnomalyState(st.anomaly));
    }
    vms.add(o.newVm() ? 1 : 0);
    anomalies.add(o.anomalous() ? 1 : 0);
    if (o.newDna() != null) {
      lastDna.update(st.dna);
      dnaHistory.accept(o.newDna());
    }
    if (o.profile() != null) {
      out.collect(o.profile());
    }
  }

  /** Keeps one flow record of the current key's VM for its next DNA. */
  void flow(FlowRecord f) throws IOException {
    flowRecords.add(1);
    FlowWindow w = flows.value();
    if (w == null) {
      w = new FlowWindow();
    }
    w.add(f);
    flows.update(w);
  }
}
