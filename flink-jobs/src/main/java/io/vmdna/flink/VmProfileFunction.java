package io.vmdna.flink;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.EwmaControlChart;
import io.vmdna.store.DnaRecord;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by VM: runs {@link VmProfiler} (history, anomaly detection, DNA on its cadence, trend
 * forecast, the model's feature row) on the VM's keyed state and emits a {@link VmProfile} per
 * sample once the window holds {@code minSamples}; every schema-2 DNA it computes also goes to
 * {@link #DNA_HISTORY}. Calls only {@code models} through the profiler: the logic lives there.
 *
 * <p>State per VM: the history as columns ({@link VmHistory}, appended in place, so a sample costs
 * the same however long the history is), the control chart, the anomaly ensemble ({@link
 * AnomalyState}), the last DNA.
 */
final class VmProfileFunction extends KeyedProcessFunction<String, VmSample, VmProfile> {
  private static final long serialVersionUID = 1L;

  /** Accumulator names, read by the demo's summary. */
  static final String SAMPLES = "samples";

  static final String ANOMALIES = "anomalies";
  static final String VMS = "vms";

  /** Side output: every schema-2 DNA as it is computed, for the DNA history in the store. */
  static final OutputTag<DnaRecord> DNA_HISTORY = new OutputTag<>("dna-history") {};

  private final ProfilerConfig config;
  private transient ValueState<VmHistory> history;
  private transient ValueState<EwmaControlChart.State> chart;
  private transient ValueState<VmDna> lastDna;
  private transient ValueState<AnomalyState> anomaly;
  private transient VmProfiler profiler;
  private transient LongCounter samples;
  private transient LongCounter anomalies;
  private transient LongCounter vms;

  VmProfileFunction(ProfilerConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext ctx) {
    history =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("history", TypeInformation.of(VmHistory.class)));
    chart =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "chart", TypeInformation.of(EwmaControlChart.State.class)));
    lastDna =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("dna", TypeInformation.of(VmDna.class)));
    anomaly =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("anomaly", TypeInformation.of(AnomalyState.class)));
    profiler = new VmProfiler(config);
    samples = getRuntimeContext().getLongCounter(SAMPLES);
    anomalies = getRuntimeContext().getLongCounter(ANOMALIES);
    vms = getRuntimeContext().getLongCounter(VMS);
  }

  @Override
  public void processElement(VmSample s, Context ctx, Collector<VmProfile> out) throws Exception {
    samples.add(1);
    VmProfiler.State st = new VmProfiler.State();
    st.history = history.value();
    st.chart = chart.value();
    st.dna = lastDna.value();
    AnomalyState a = anomaly.value();
    st.anomaly = a == null ? null : a.ensemble();
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
      ctx.output(DNA_HISTORY, o.newDna());
    }
    if (o.profile() != null) {
      out.collect(o.profile());
    }
  }
}
