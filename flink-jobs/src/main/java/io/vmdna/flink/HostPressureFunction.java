package io.vmdna.flink;

import io.vmdna.bpmn.ProcessContract;
import io.vmdna.models.forecast.HostDemand;
import io.vmdna.models.forecast.ReliefPicker;
import java.util.ArrayList;
import java.util.Comparator;
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
 * arrived) it sums the VMs' p90 forecasts into the host's predicted demand and, when that exceeds
 * {@code overloadFraction} of capacity, picks the VM whose move relieves the host best ({@link
 * ReliefPicker}). An anomalous VM on a host above {@code anomalyFraction} gives an anomaly signal.
 * After a signal the host stays quiet for {@code hostCooldownS} (hysteresis: its VM is moving, and
 * the old load lingers in the forecasts until it has).
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
  private transient ReliefPicker picker;

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
    picker = new ReliefPicker();
  }

  @Override
  public void processElement(VmProfile p, Context ctx, Collector<MigrationSignal> out)
      throws Exception {
    long stepEndS = (p.windowEndS() / config.stepS() + 1) * config.stepS();
    List<VmProfile> step = pending.get(stepEndS);
    List<VmProfile> updated = step == null ? new ArrayList<>() : new ArrayList<>(step);
    updated.add(p);
    pending.put(stepEndS, updated);
    ctx.timerService().registerEventTimeTimer(stepEndS * 1000);
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
    for (Iterator<Map.Entry<String, VmProfile>> it = latest.iterator(); it.hasNext(); ) {
      VmProfile p = it.next().getValue();
      if (nowS - p.windowEndS() > config.staleAfterS()) {
        it.remove();
      } else {
        vms.add(p);
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
    Long last = lastSignalS.value();
    if (last != null && nowS - last < config.hostCooldownS()) {
      return;
    }
    HostDemand demand =
        HostDemand.of(
            vms.stream().map(VmProfile::forecast).toList(), capacity, config.overloadFraction());
    Optional<MigrationSignal> signal =
        demand.overloaded()
            ? forecastSignal(hostId, nowS, vms, demand)
            : anomalySignal(hostId, nowS, vms, demand);
    if (signal.isPresent()) {
      lastSignalS.update(nowS);
      out.collect(signal.get());
    }
  }

  private Optional<MigrationSignal> forecastSignal(
      String hostId, long nowS, List<VmProfile> vms, HostDemand d) {
    List<ReliefPicker.Candidate> candidates =
        vms.stream()
            .map(
                p -> new ReliefPicker.Candidate(p.vmId(), p.forecast().cpuP90Mhz(), p.memUsageKb()))
            .toList();
    double excess = d.demandP90Mhz() - d.thresholdMhz();
    return picker
        .pick(candidates, excess)
        .map(
            c -> {
              VmProfile p =
                  vms.stream().filter(v -> v.vmId().equals(c.vmId())).findFirst().orElseThrow();
              String reason =
                  "host %s predicted at %.0f%% of capacity (p90 %.0f of %.0f MHz) in %d min; moving %s (p90 %.0f MHz) relieves it"
                      .formatted(
                          hostId,
                          100 * d.demandP90Mhz() / d.capacityMhz(),
                          d.demandP90Mhz(),
                          d.capacityMhz(),
                          p.forecast().horizonS() / 60,
                          p.vmId(),
                          p.forecast().cpuP90Mhz());
              return signal(
                  p, hostId, nowS, ProcessContract.SignalTypes.FORECAST, d, List.of(), reason);
            });
  }

  private Optional<MigrationSignal> anomalySignal(
      String hostId, long nowS, List<VmProfile> vms, HostDemand d) {
    if (d.demandP90Mhz() < config.anomalyFraction() * d.capacityMhz()) {
      return Optional.empty();
    }
    return vms.stream()
        .filter(p -> p.anomalous() && p.anomalyScore() >= config.anomalyMinScore())
        .max(Comparator.comparingDouble(VmProfile::anomalyScore))
        .map(
            p ->
                signal(
                    p,
                    hostId,
                    nowS,
                    ProcessContract.SignalTypes.ANOMALY,
                    d,
                    List.of("ewma-cpu"),
                    "VM %s is anomalous (score %.2f) on host %s at %.0f%% of capacity"
                        .formatted(
                            p.vmId(),
                            p.anomalyScore(),
                            hostId,
                            100 * d.demandP90Mhz() / d.capacityMhz())));
  }

  private static MigrationSignal signal(
      VmProfile p,
      String hostId,
      long nowS,
      String type,
      HostDemand d,
      List<String> detectors,
      String reason) {
    return new MigrationSignal(
        ProcessContract.migrationId(p.vmId(), nowS),
        p.vmId(),
        hostId,
        type,
        nowS,
        p.forecast().horizonS(),
        p.forecast().cpuP50Mhz(),
        p.forecast().cpuP90Mhz(),
        d.pExceed(),
        p.forecast().memP90Kb(),
        p.forecast().netP90Kbps(),
        d.demandP90Mhz(),
        d.capacityMhz(),
        p.anomalyScore(),
        detectors,
        p.dna().schemaVersion(),
        p.dna().features(),
        reason);
  }
}
