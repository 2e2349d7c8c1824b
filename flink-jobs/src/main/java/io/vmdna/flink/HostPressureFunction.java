package io.vmdna.flink;

import io.vmdna.models.forecast.HostAssessment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed by host: the Predictive Migration Engine's host view. Keeps the latest profile of every VM
 * on the host; at the end of each sample step (an event-time timer, so every VM of the step has
 * arrived) it asks {@link HostAssessment} (the rule shared with the what-if simulator) whether one
 * of the host's VMs should move: the sum of their p90 forecasts above {@code overloadFraction} of
 * capacity with a pExceed of at least {@code minPExceed}, or an anomalous VM on a host above {@code
 * anomalyFraction}. After a signal the host gives no signal of the same kind for {@code
 * hostCooldownS} (hysteresis: its VM is moving, and the old load lingers in the forecasts until it
 * has); overload and anomaly signals cool down apart, so an anomaly signal the policy declines
 * never mutes an overload.
 *
 * <p>Profiles wait in {@code pending} under the end of their step until that step's timer fires,
 * and only then update the host view: the view at step T must not see profiles of later steps,
 * which arrive early whenever the replay runs faster than the watermark interval.
 *
 * <p>A VM that has not reported here for {@code staleAfterS} has moved away and is dropped, so
 * state stays bounded by the VMs on the host.
 */
final class HostPressureFunction extends KeyedProcessFunction<String, VmProfile, MigrationSignal> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(HostPressureFunction.class);

  private final ProfilerConfig config;
  private transient MapState<String, VmProfile> latest;
  private transient MapState<Long, List<VmProfile>> pending;
  private transient ValueState<Long> lastSignalS;
  private transient ValueState<Long> lastAnomalySignalS;
  private transient HostAssessment assessment;

  HostPressureFunction(ProfilerConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext ctx) {
    latest =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "latest", Types.STRING, TypeInformation.of(VmProfile.class)));
    pending =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "pending", Types.LONG, Types.LIST(TypeInformation.of(VmProfile.class))));
    lastSignalS =
        getRuntimeContext().getState(new ValueStateDescriptor<>("lastSignalS", Types.LONG));
    lastAnomalySignalS =
        getRuntimeContext().getState(new ValueStateDescriptor<>("lastAnomalySignalS", Types.LONG));
    assessment =
        new HostAssessment(
            config.overloadFraction(),
            config.minPExceed(),
            config.anomalyFraction(),
            config.anomalyMinScore());
  }

  @Override
  public void processElement(VmProfile p, Context ctx, Collector<MigrationSignal> out)
      throws Exception {
    long stepEndS = (p.windowEndS() / config.stepS() + 1) * config.stepS();
    // added in place and put back: a heap backend's copy-on-write hands out a copy of a value that
    // a running snapshot still holds, and put is what other backends need to see the change
    List<VmProfile> step = pending.get(stepEndS);
    if (step == null) {
      step = new ArrayList<>();
      // one timer per host and step: registered with the step's first profile (a second
      // registration of the same time is a no-op that still costs a lookup per profile)
      ctx.timerService().registerEventTimeTimer(stepEndS * 1000);
    }
    step.add(p);
    pending.put(stepEndS, step);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<MigrationSignal> out)
      throws Exception {
    long nowS = timestamp / 1000;
    String hostId = ctx.getCurrentKey();
    List<VmProfile> arrived = pending.get(nowS);
    if (arrived != null) {
      for (VmProfile p : arrived) {
        VmProfile before = latest.get(p.vmId());
        if (before == null || before.windowEndS() <= p.windowEndS()) {
          latest.put(p.vmId(), p);
        }
      }
      pending.remove(nowS);
    }
    List<VmProfile> vms = new ArrayList<>();
    List<HostAssessment.VmView> views = new ArrayList<>();
    for (Iterator<Map.Entry<String, VmProfile>> it = latest.iterator(); it.hasNext(); ) {
      VmProfile p = it.next().getValue();
      if (nowS - p.windowEndS() > config.staleAfterS()) {
        it.remove();
      } else {
        vms.add(p);
        views.add(p.assessmentView());
      }
    }
    Double capacity = config.hostCapacityMhz().get(hostId);
    if (capacity == null) {
      LOG.warn(
          "host {} has no configured capacity; its {} VMs are not assessed", hostId, vms.size());
      return;
    }
    if (vms.isEmpty()) {
      return;
    }
    Optional<HostAssessment.Verdict> verdict = assessment.assess(hostId, views, capacity);
    if (verdict.isPresent()) {
      HostAssessment.Verdict v = verdict.get();
      // one cooldown per kind: an anomaly signal the policy declines must not mute an overload
      ValueState<Long> cooldown =
          v.kind() == HostAssessment.Kind.ANOMALY ? lastAnomalySignalS : lastSignalS;
      Long last = cooldown.value();
      if (last != null && nowS - last < config.hostCooldownS()) {
        return;
      }
      VmProfile p =
          vms.stream().filter(x -> x.vmId().equals(v.vm().vmId())).findFirst().orElseThrow();
      cooldown.update(nowS);
      out.collect(MigrationSignal.of(v, hostId, nowS, p.dna(), p.anomalyDetectors()));
    }
  }
}
