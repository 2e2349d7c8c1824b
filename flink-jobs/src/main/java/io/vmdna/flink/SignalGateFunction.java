package io.vmdna.flink;

import io.vmdna.bpmn.ProcessContract;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by VM: lets a VM's signal of one kind (overload or anomaly) through at most once per {@code
 * vmCooldownS} of event time, so a VM that just moved (and keeps its high forecast on its new host
 * for a while) is not bounced straight back. Keyed by VM rather than host because the VM changes
 * hosts. The kinds cool down apart: an anomaly signal the policy declines must not hold back the
 * overload signal that follows it (the what-if simulator showed it delaying a move past the
 * overload's start).
 */
final class SignalGateFunction
    extends KeyedProcessFunction<String, MigrationSignal, MigrationSignal> {
  private static final long serialVersionUID = 1L;

  static final String SIGNALS = "signals";
  static final String SUPPRESSED = "signalsSuppressed";

  private final long cooldownS;
  private transient ValueState<Long> lastPassedS;
  private transient ValueState<Long> lastAnomalyPassedS;
  private transient LongCounter signals;
  private transient LongCounter suppressed;

  SignalGateFunction(long cooldownS) {
    this.cooldownS = cooldownS;
  }

  @Override
  public void open(OpenContext ctx) {
    lastPassedS =
        getRuntimeContext().getState(new ValueStateDescriptor<>("lastPassedS", Types.LONG));
    lastAnomalyPassedS =
        getRuntimeContext().getState(new ValueStateDescriptor<>("lastAnomalyPassedS", Types.LONG));
    signals = getRuntimeContext().getLongCounter(SIGNALS);
    suppressed = getRuntimeContext().getLongCounter(SUPPRESSED);
  }

  @Override
  public void processElement(MigrationSignal s, Context ctx, Collector<MigrationSignal> out)
      throws Exception {
    ValueState<Long> gate =
        ProcessContract.SignalTypes.ANOMALY.equals(s.signalType())
            ? lastAnomalyPassedS
            : lastPassedS;
    Long last = gate.value();
    if (last != null && s.windowEndS() - last < cooldownS) {
      suppressed.add(1);
      return;
    }
    gate.update(s.windowEndS());
    signals.add(1);
    out.collect(s);
  }
}
