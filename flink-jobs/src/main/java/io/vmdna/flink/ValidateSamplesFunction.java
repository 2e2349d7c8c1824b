package io.vmdna.flink;

import io.vmdna.models.SampleCheck;
import io.vmdna.models.VmSample;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The job's gate for data: passes good samples on; sends bad ones ({@link SampleCheck}) and late
 * ones (older than the current watermark) to the {@link #REJECTED} side output, counting each
 * reason in an accumulator named {@code rejected.<REASON>}. The job never fails on data.
 *
 * <p>Runs right after the source (parallelism 1 in the demo): "newest accepted" is per subtask. Its
 * output is written with {@link VmSampleSerializer} ({@link #getProducedType}).
 */
final class ValidateSamplesFunction extends ProcessFunction<VmSample, VmSample>
    implements ResultTypeQueryable<VmSample> {
  private static final long serialVersionUID = 1L;

  /** Side output of rejected samples. */
  static final OutputTag<RejectedSample> REJECTED =
      new OutputTag<>("rejected-samples") {
        private static final long serialVersionUID = 1L;
      };

  /** Accumulator name prefix. */
  static final String COUNTER_PREFIX = "rejected.";

  private final SampleCheck check;
  private transient long newestS;
  private transient Map<SampleCheck.Reason, LongCounter> counters;
  private transient LongCounter late;

  ValidateSamplesFunction(SampleCheck check) {
    this.check = check;
  }

  /** The samples go on as {@link VmSampleSerializer#TYPE_INFO}. */
  @Override
  public TypeInformation<VmSample> getProducedType() {
    return VmSampleSerializer.TYPE_INFO;
  }

  @Override
  public void open(OpenContext ctx) {
    newestS = Long.MIN_VALUE;
    counters = new EnumMap<>(SampleCheck.Reason.class);
    for (SampleCheck.Reason r : SampleCheck.Reason.values()) {
      counters.put(r, getRuntimeContext().getLongCounter(COUNTER_PREFIX + r.name()));
    }
    late = getRuntimeContext().getLongCounter(COUNTER_PREFIX + RejectedSample.LATE);
  }

  @Override
  public void processElement(VmSample s, Context ctx, Collector<VmSample> out) {
    Optional<SampleCheck.Problem> problem = check.check(s, newestS);
    if (problem.isPresent()) {
      counters.get(problem.get().reason()).add(1);
      ctx.output(
          REJECTED, new RejectedSample(s, problem.get().reason().name(), problem.get().detail()));
      return;
    }
    long watermark = ctx.timerService().currentWatermark();
    if (watermark != Long.MIN_VALUE && s.timestampS() * 1000 < watermark) {
      late.add(1);
      ctx.output(
          REJECTED,
          new RejectedSample(
              s,
              RejectedSample.LATE,
              "VM %s: timestamp %d is behind the watermark %d s"
                  .formatted(s.vmId(), s.timestampS(), watermark / 1000)));
      return;
    }
    newestS = Math.max(newestS, s.timestampS());
    out.collect(s);
  }
}
