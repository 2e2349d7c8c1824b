package io.vmdna.flink;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.FlowRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@link VmProfileFunction} with a second input: the VMs' network flow records (from a conntrack
 * collector or any collector writing {@link FlowRecord}s), keyed by VM like the samples. Each
 * record joins the VM's {@link FlowWindow} (its last day, bounded); the next schema-2 DNA reads
 * them for its traffic features (protocol shares, destination entropy and count), which are absent
 * (NaN) for a VM no flow was seen for. Records are kept as they arrive; the DNA reads those of the
 * day before its own time, so a record arriving a little late still counts.
 */
final class VmProfileFlowsFunction
    extends KeyedCoProcessFunction<String, VmSample, FlowRecord, VmProfile> {
  private static final long serialVersionUID = 1L;

  private final ProfilerConfig config;
  private transient ProfileKeyedState state;

  VmProfileFlowsFunction(ProfilerConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext ctx) {
    state = new ProfileKeyedState(config, getRuntimeContext(), true);
  }

  @Override
  public void processElement1(VmSample s, Context ctx, Collector<VmProfile> out) throws Exception {
    state.sample(s, dna -> ctx.output(VmProfileFunction.DNA_HISTORY, dna), out);
  }

  @Override
  public void processElement2(FlowRecord f, Context ctx, Collector<VmProfile> out)
      throws Exception {
    state.flow(f);
  }
}
