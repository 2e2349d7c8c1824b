package io.vmdna.flink;

import io.vmdna.models.VmSample;
import io.vmdna.store.DnaRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by VM: runs {@link VmProfiler} (history, anomaly detection, DNA on its cadence, trend
 * forecast, the model's feature row) on the VM's keyed state and emits a {@link VmProfile} per
 * sample once the window holds {@code minSamples}; every schema-2 DNA it computes also goes to
 * {@link #DNA_HISTORY}. Calls only {@code models} through the profiler: the logic lives there.
 *
 * <p>State per VM ({@link ProfileKeyedState}): the history as columns ({@link VmHistory}, appended
 * in place, so a sample costs the same however long the history is), the control chart, the anomaly
 * ensemble ({@link AnomalyState}), the last DNA. With flow records the job runs {@link
 * VmProfileFlowsFunction} instead, on the same state plus the flows.
 */
final class VmProfileFunction extends KeyedProcessFunction<String, VmSample, VmProfile> {
  private static final long serialVersionUID = 1L;

  /** Accumulator names, read by the demo's summary. */
  static final String SAMPLES = "samples";

  static final String ANOMALIES = "anomalies";
  static final String VMS = "vms";

  /** Accumulator: flow records taken in (with {@link VmProfileFlowsFunction}). */
  static final String FLOWS = "flows";

  /** Side output: every schema-2 DNA as it is computed, for the DNA history in the store. */
  static final OutputTag<DnaRecord> DNA_HISTORY = new OutputTag<>("dna-history") {};

  private final ProfilerConfig config;
  private transient ProfileKeyedState state;

  VmProfileFunction(ProfilerConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext ctx) {
    state = new ProfileKeyedState(config, getRuntimeContext(), false);
  }

  @Override
  public void processElement(VmSample s, Context ctx, Collector<VmProfile> out) throws Exception {
    state.sample(s, dna -> ctx.output(DNA_HISTORY, dna), out);
  }
}
