package io.vmdna.cli.simulate;

import io.vmdna.bpmn.ProcessContract;
import io.vmdna.flink.MigrationSignal;
import io.vmdna.flink.ProfilerConfig;
import io.vmdna.flink.VmProfiler;
import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.MigrationCost;
import io.vmdna.models.VmSample;
import io.vmdna.models.dna.DnaExtractor;
import io.vmdna.models.dna.DnaModel;
import io.vmdna.models.dna.Stats;
import io.vmdna.models.forecast.Forecast;
import io.vmdna.models.forecast.HostAssessment;
import io.vmdna.models.forecast.ReliefPicker;
import io.vmdna.placement.HostSelector;
import io.vmdna.placement.Placement;
import io.vmdna.placement.PlacementConfig;
import io.vmdna.placement.PlacementRequest;
import io.vmdna.store.Rails;
import io.vmdna.store.Reservation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Replays a fleet under one migration policy on simulated time, one 5-minute step after another.
 *
 * <p>Each step: every VM's latest sample (carried forward until its trace ends) adds its CPU to the
 * host it is on; a host is overloaded in the step when that sum, plus running migrations' overhead,
 * exceeds its capacity. After the step the policy looks at every host (in host order):
 *
 * <ul>
 *   <li>{@link Policy#PREDICTIVE}: the streaming job's decision path: the host view ({@link
 *       HostAssessment} over the VMs' model forecasts and control-chart verdicts), the job's host
 *       and per-VM signal cooldowns, then the bundled {@code migrationPolicy} DMN on the signal's
 *       variables ({@link PolicyDmn}); the VM's need is its p90 forecast;
 *   <li>{@link Policy#REACTIVE}: a host whose current CPU demand exceeds the same fraction of
 *       capacity moves the VM {@link ReliefPicker} picks on current use, with the same cooldowns;
 *       the VM's need is its current use;
 *   <li>{@link Policy#NONE}: nothing moves.
 * </ul>
 *
 * <p>Every policy then goes through the same safety rails ({@link Rails}, on simulated time: VM
 * cooldown, caps per source and in total, ping-pong window) and the same host selection ({@link
 * HostSelector#from} with in-memory bookings). A migration starts at the end of the step it was
 * decided in and lasts {@link MigrationCost#durationMs}; during the steps it runs, the VM's CPU is
 * split between source and target by the time spent on each, and both carry the migration's
 * overhead. Deterministic: no clocks, no threads, ordered maps. Not thread-safe; one run per
 * instance.
 */
public final class Simulation {

  /** The migration policies compared. */
  public enum Policy {
    PREDICTIVE,
    REACTIVE,
    NONE;

    /** The name used on the command line and in outputs. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code predictive}, {@code reactive} or {@code none}. */
    public static Policy parse(String s) {
      for (Policy p : values()) {
        if (p.id().equals(s.strip().toLowerCase(Locale.ROOT))) {
          return p;
        }
      }
      throw new IllegalArgumentException(
          "simulate: unknown policy '%s' (expected predictive, reactive or none)".formatted(s));
    }
  }

  /**
   * Everything a run shares with the deployed system's defaults.
   *
   * @param profiler the streaming job's settings: forecast horizon, overload and anomaly fractions,
   *     host and VM signal cooldowns, the profile window
   * @param rails the workers' safety rails
   * @param placement host selection's settings
   * @param cost what a migration costs
   */
  public record Settings(
      ProfilerConfig profiler, Rails rails, PlacementConfig placement, MigrationCost cost) {
    /** The defaults of the job, the workers and the {@code sim} hypervisor. */
    public static Settings defaults() {
      return new Settings(
          ProfilerConfig.defaults(Map.of()),
          Rails.defaults(),
          PlacementConfig.defaults(),
          MigrationCost.defaults());
    }
  }

  /**
   * A migration the simulation ran.
   *
   * @param migrationId the process contract's id (VM + decision time)
   * @param vmId the VM
   * @param fromHostId source
   * @param toHostId target
   * @param startS when it started (the end of the step it was decided in), epoch seconds
   * @param endS cut-over: the VM runs on the target from here, epoch seconds
   * @param trigger {@code FORECAST}, {@code ANOMALY} or {@code REACTIVE}
   * @param reason why
   * @param bytes bytes sent
   * @param pingPong whether the VM went back to a host it had left within the ping-pong window
   */
  public record Migration(
      String migrationId,
      String vmId,
      String fromHostId,
      String toHostId,
      long startS,
      long endS,
      String trigger,
      String reason,
      long bytes,
      boolean pingPong) {}

  /**
   * What the policy decided about one host at one step, when it wanted a VM to move.
   *
   * @param timeS decision time (end of the step), epoch seconds
   * @param hostId the host
   * @param vmId the VM the host view picked
   * @param trigger {@code FORECAST}, {@code ANOMALY} or {@code REACTIVE}
   * @param outcome {@code MIGRATE}, {@code DECLINED} (the DMN said no), {@code SUPPRESSED} (the
   *     VM's signal cooldown) or {@code REFUSED} (rails or no suitable host)
   * @param targetHostId the chosen target, or empty
   * @param detail the reason: the signal's, the DMN's, the rail's or host selection's
   */
  public record Decision(
      long timeS,
      String hostId,
      String vmId,
      String trigger,
      String outcome,
      String targetHostId,
      String detail) {}

  /**
   * A run's figures.
   *
   * @param hostOverloadMinutes Σ over hosts of the minutes they were overloaded
   * @param vmMinutesOnOverloadedHosts Σ over VMs of the minutes they ran on an overloaded host
   * @param migrations migrations started
   * @param migrationsPerVmDay migrations per VM per day of trace
   * @param pingPongs migrations back to a host left within the ping-pong window
   * @param signals host-view verdicts (or reactive triggers) after the host cooldown
   * @param suppressed held back by the per-VM signal cooldown
   * @param declined the policy said no
   * @param refused the rails or host selection said no
   * @param vmDays VM-days of trace replayed
   * @param bytesMoved bytes sent by migrations
   * @param downtimeMs Σ guest downtime
   */
  public record Metrics(
      long hostOverloadMinutes,
      long vmMinutesOnOverloadedHosts,
      int migrations,
      double migrationsPerVmDay,
      int pingPongs,
      int signals,
      int suppressed,
      int declined,
      int refused,
      double vmDays,
      long bytesMoved,
      long downtimeMs) {}

  /**
   * The outcome of a run.
   *
   * @param policy the policy
   * @param startS the first step's start, epoch seconds
   * @param stepS step length, seconds
   * @param firstSamples every VM's first sample time, epoch seconds, by VM id
   * @param migrations in start order
   * @param decisions in time order
   * @param overloadedVms per step, the VMs on overloaded hosts
   * @param metrics the figures
   */
  public record Result(
      Policy policy,
      long startS,
      long stepS,
      Map<String, Long> firstSamples,
      List<Migration> migrations,
      List<Decision> decisions,
      int[] overloadedVms,
      Metrics metrics) {}

  private static final long STEP_S = 300;
  private static final int TREND_STEPS = 12;
  private static final long NEVER = Long.MIN_VALUE / 4;

  private final FleetSpec fleet;
  private final List<VmReplay> vms;
  private final Settings settings;
  private final PolicyDmn policyDmn;
  private final HostAssessment assessment;
  private final DnaModel dnaModel; // null: signals carry the short schema-1 DNA, as the job's do
  private final DnaExtractor extractor = new DnaExtractor();

  /**
   * @param fleet hosts and initial placement (every VM of {@code vms} must be placed)
   * @param vms the VMs' replays; with {@link Policy#PREDICTIVE} each must have its forecasts
   * @param settings the shared settings
   * @param policyDmn the migration policy the predictive run evaluates
   */
  public Simulation(FleetSpec fleet, List<VmReplay> vms, Settings settings, PolicyDmn policyDmn) {
    this.fleet = fleet;
    this.vms = List.copyOf(vms);
    this.settings = settings;
    this.policyDmn = policyDmn;
    ProfilerConfig p = settings.profiler();
    this.dnaModel = VmProfiler.loadDnaModel(p.dnaModel());
    this.assessment =
        new HostAssessment(
            p.overloadFraction(), p.minPExceed(), p.anomalyFraction(), p.anomalyMinScore());
    for (VmReplay vm : vms) {
      if (!fleet.placement().containsKey(vm.vmId())) {
        throw new IllegalArgumentException("simulate: VM " + vm.vmId() + " has no initial host");
      }
    }
  }

  /** Steps the replay covers (from the first sample of any VM to the last of any). */
  public int steps() {
    long start = vms.stream().mapToLong(v -> v.timestampS[0]).min().orElse(0);
    long end = vms.stream().mapToLong(v -> v.timestampS[v.timestampS.length - 1]).max().orElse(0);
    return (int) ((end - start) / STEP_S + 1);
  }

  /**
   * Runs the whole replay under {@code policy}.
   *
   * @param progress called with the number of steps done, every few percent
   */
  public Result run(Policy policy, IntConsumer progress) {
    return new Run(policy).go(progress);
  }

  /** One run's mutable state. */
  private final class Run {
    final Policy policy;
    final int nHosts = fleet.hosts().size();
    final int nVms = vms.size();
    final String[] hostIds = new String[nHosts];
    final double[] capacity = new double[nHosts];
    final double[] memCapacity = new double[nHosts];
    final Map<String, Integer> hostIndex = new LinkedHashMap<>();
    final int[] at = new int[nVms];
    final int[] cursor = new int[nVms];
    final boolean[] present = new boolean[nVms];
    final Migration[] active = new Migration[nVms];
    // the job's per-VM signal cooldown, one per kind like the host's
    final long[][] lastVmSignal = new long[2][nVms];
    final long[] lastCompleted = new long[nVms];
    // the job's host signal cooldown, one per kind: [0] overload (or reactive), [1] anomaly
    final long[][] lastHostSignal = new long[2][nHosts];
    final List<List<long[]>> departures = new ArrayList<>(); // per VM: {host, time}
    final Map<String, Reservation> bookings = new LinkedHashMap<>();
    final double[][] recentCpu;
    final HostSelector selector;
    final List<Migration> migrations = new ArrayList<>();
    final List<Decision> decisions = new ArrayList<>();
    double[] cpu;
    double[] mem;
    int pingPongs;
    int signals;
    int suppressed;
    int declined;
    int refused;

    Run(Policy policy) {
      this.policy = policy;
      for (int h = 0; h < nHosts; h++) {
        FleetSpec.Host host = fleet.hosts().get(h);
        hostIds[h] = host.hostId();
        capacity[h] = host.cpuMhz();
        memCapacity[h] = host.memoryKb();
        hostIndex.put(host.hostId(), h);
      }
      for (int v = 0; v < nVms; v++) {
        at[v] = hostIndex.get(fleet.placement().get(vms.get(v).vmId()));
        cursor[v] = -1;
        departures.add(new ArrayList<>());
      }
      Arrays.fill(lastVmSignal[0], NEVER);
      Arrays.fill(lastVmSignal[1], NEVER);
      Arrays.fill(lastCompleted, NEVER);
      Arrays.fill(lastHostSignal[0], NEVER);
      Arrays.fill(lastHostSignal[1], NEVER);
      recentCpu = new double[nHosts][TREND_STEPS];
      selector =
          HostSelector.from(
              settings.placement(),
              hostId -> bookings.values().stream().filter(r -> r.hostId().equals(hostId)).toList());
    }

    Result go(IntConsumer progress) {
      long start = vms.stream().mapToLong(v -> v.timestampS[0]).min().orElseThrow();
      int steps = steps();
      int[] overloadedVms = new int[steps];
      long overloadedHostSteps = 0;
      long vmStepsOnOverloaded = 0;
      long vmSteps = 0;
      int every = Math.max(1, steps / 20);
      for (int k = 0; k < steps; k++) {
        long stepStart = start + k * STEP_S;
        long stepEnd = stepStart + STEP_S;
        int[] count = load(stepStart, stepEnd);
        complete(stepEnd);
        for (int h = 0; h < nHosts; h++) {
          recentCpu[h][k % TREND_STEPS] = cpu[h];
          vmSteps += count[h];
          if (cpu[h] > capacity[h]) {
            overloadedHostSteps++;
            vmStepsOnOverloaded += count[h];
            overloadedVms[k] += count[h];
          }
        }
        if (policy != Policy.NONE) {
          for (int h = 0; h < nHosts; h++) {
            decide(h, stepEnd, Math.min(k + 1, TREND_STEPS), k);
          }
        }
        if ((k + 1) % every == 0 || k + 1 == steps) {
          progress.accept(k + 1);
        }
      }
      double vmDays = vmSteps * STEP_S / 86400.0;
      Map<String, Long> first = new LinkedHashMap<>();
      vms.forEach(v -> first.put(v.vmId(), v.timestampS[0]));
      long bytes = migrations.stream().mapToLong(Migration::bytes).sum();
      Metrics m =
          new Metrics(
              overloadedHostSteps * STEP_S / 60,
              vmStepsOnOverloaded * STEP_S / 60,
              migrations.size(),
              vmDays > 0 ? migrations.size() / vmDays : 0,
              pingPongs,
              signals,
              suppressed,
              declined,
              refused,
              vmDays,
              bytes,
              migrations.size() * settings.cost().downtimeMs());
      return new Result(policy, start, STEP_S, first, migrations, decisions, overloadedVms, m);
    }

    /** Sums this step's CPU and memory per host; returns the VMs counted on each host. */
    int[] load(long stepStart, long stepEnd) {
      cpu = new double[nHosts];
      mem = new double[nHosts];
      int[] count = new int[nHosts];
      double overhead = settings.cost().overheadMhz();
      for (int v = 0; v < nVms; v++) {
        VmReplay vm = vms.get(v);
        long[] ts = vm.timestampS;
        while (cursor[v] + 1 < ts.length && ts[cursor[v] + 1] < stepEnd) {
          cursor[v]++;
        }
        present[v] = cursor[v] >= 0 && stepStart <= ts[ts.length - 1];
        Migration m = active[v];
        double c = present[v] ? vm.sample(cursor[v]).cpuUsageMhz() : 0;
        double kb = present[v] ? vm.sample(cursor[v]).memUsageKb() : 0;
        if (m != null) {
          // the share of the step the VM still runs on the source
          double fs = Math.clamp((double) (m.endS() - stepStart) / STEP_S, 0, 1);
          int from = hostIndex.get(m.fromHostId());
          int to = hostIndex.get(m.toHostId());
          cpu[from] += c * fs + overhead * fs;
          cpu[to] += c * (1 - fs) + overhead * fs;
          mem[from] += kb;
          if (present[v]) {
            count[fs >= 0.5 ? from : to]++;
          }
        } else if (present[v]) {
          cpu[at[v]] += c;
          mem[at[v]] += kb;
          count[at[v]]++;
        }
      }
      return count;
    }

    /** Cut-over of every migration that ends within this step. */
    void complete(long stepEnd) {
      for (int v = 0; v < nVms; v++) {
        Migration m = active[v];
        if (m != null && m.endS() <= stepEnd) {
          departures.get(v).add(new long[] {at[v], m.endS()});
          at[v] = hostIndex.get(m.toHostId());
          lastCompleted[v] = m.endS();
          bookings.remove(m.migrationId());
          active[v] = null;
        }
      }
    }

    void decide(int h, long now, int trendSteps, int k) {
      if (policy == Policy.PREDICTIVE) {
        predictive(h, now, trendSteps, k);
      } else {
        reactive(h, now, trendSteps, k);
      }
    }

    void predictive(int h, long now, int trendSteps, int k) {
      List<HostAssessment.VmView> views = new ArrayList<>();
      Map<String, Integer> index = new LinkedHashMap<>();
      for (int v = 0; v < nVms; v++) {
        VmReplay vm = vms.get(v);
        if (at[v] == h && present[v] && active[v] == null && vm.profiled(cursor[v])) {
          int i = cursor[v];
          views.add(
              new HostAssessment.VmView(
                  vm.vmId(),
                  vm.forecast(i),
                  vm.sample(i).memUsageKb(),
                  vm.anomalyScore(i),
                  vm.anomalous(i)));
          index.put(vm.vmId(), v);
        }
      }
      Optional<HostAssessment.Verdict> verdict = assessment.assess(hostIds[h], views, capacity[h]);
      if (verdict.isEmpty()) {
        return;
      }
      HostAssessment.Verdict vd = verdict.get();
      int kind = vd.kind() == HostAssessment.Kind.ANOMALY ? 1 : 0;
      if (coolingDown(kind, h, now)) {
        return;
      }
      int v = index.get(vd.vm().vmId());
      VmReplay vm = vms.get(v);
      String trigger = vd.kind().name();
      lastHostSignal[kind][h] = now;
      signals++;
      if (gated(kind, v, h, now, trigger, vd.reason())) {
        return;
      }
      MigrationSignal signal =
          MigrationSignal.of(
              vd,
              hostIds[h],
              now,
              vm.dna(cursor[v], settings.profiler(), dnaModel, extractor),
              vm.detectors(cursor[v]));
      Map<String, Object> vars = new LinkedHashMap<>(signal.variables());
      // the signal sink stamps the publish time; the simulator decides at once, so age 0
      vars.put(ProcessContract.Vars.SIGNAL_TIME, Instant.now().toString());
      PolicyDmn.Outcome o = policyDmn.evaluate(vars);
      if (!o.migrate()) {
        declined++;
        decisions.add(
            new Decision(now, hostIds[h], vm.vmId(), trigger, "DECLINED", "", o.reason()));
        return;
      }
      Forecast f = vd.vm().forecast();
      double memNeed = Math.max(vd.vm().memUsageKb(), f.memP90Kb());
      migrate(v, h, now, f.cpuP90Mhz(), memNeed, trigger, vd.reason(), trendSteps, k);
    }

    void reactive(int h, long now, int trendSteps, int k) {
      double threshold = settings.profiler().overloadFraction() * capacity[h];
      if (cpu[h] <= threshold || coolingDown(0, h, now)) {
        return;
      }
      List<ReliefPicker.Candidate> candidates = new ArrayList<>();
      Map<String, Integer> index = new LinkedHashMap<>();
      for (int v = 0; v < nVms; v++) {
        if (at[v] == h && present[v] && active[v] == null) {
          VmSample s = vms.get(v).sample(cursor[v]);
          candidates.add(new ReliefPicker.Candidate(s.vmId(), s.cpuUsageMhz(), s.memUsageKb()));
          index.put(s.vmId(), v);
        }
      }
      Optional<ReliefPicker.Candidate> pick =
          new ReliefPicker().pick(candidates, cpu[h] - threshold);
      if (pick.isEmpty()) {
        return;
      }
      ReliefPicker.Candidate c = pick.get();
      int v = index.get(c.vmId());
      String reason =
          "host %s at %.0f%% of capacity now (%.0f of %.0f MHz); moving %s (%.0f MHz now) relieves it"
              .formatted(
                  hostIds[h],
                  100 * cpu[h] / capacity[h],
                  cpu[h],
                  capacity[h],
                  c.vmId(),
                  c.cpuP90Mhz());
      lastHostSignal[0][h] = now;
      signals++;
      if (gated(0, v, h, now, "REACTIVE", reason)) {
        return;
      }
      migrate(v, h, now, c.cpuP90Mhz(), c.memKb(), "REACTIVE", reason, trendSteps, k);
    }

    boolean coolingDown(int kind, int h, long now) {
      return now - lastHostSignal[kind][h] < settings.profiler().hostCooldownS();
    }

    /** The job's per-VM signal cooldown ({@code SignalGateFunction}); true when held back. */
    boolean gated(int kind, int v, int h, long now, String trigger, String reason) {
      if (now - lastVmSignal[kind][v] < settings.profiler().vmCooldownS()) {
        suppressed++;
        decisions.add(
            new Decision(
                now,
                hostIds[h],
                vms.get(v).vmId(),
                trigger,
                "SUPPRESSED",
                "",
                "VM signalled less than %d s ago; %s"
                    .formatted(settings.profiler().vmCooldownS(), reason)));
        return true;
      }
      lastVmSignal[kind][v] = now;
      return false;
    }

    void migrate(
        int v,
        int h,
        long now,
        double cpuNeed,
        double memNeed,
        String trigger,
        String reason,
        int trendSteps,
        int k) {
      VmReplay vm = vms.get(v);
      String id = ProcessContract.migrationId(vm.vmId(), now);
      Optional<String> veto = rails(v, h, now);
      if (veto.isPresent()) {
        refuse(now, h, vm.vmId(), trigger, veto.get());
        return;
      }
      Set<String> avoid = new HashSet<>();
      for (long[] d : departures.get(v)) {
        if (now - d[1] < settings.rails().pingPongWindow().toSeconds()) {
          avoid.add(hostIds[(int) d[0]]);
        }
      }
      List<HostInfo> hosts = new ArrayList<>();
      for (int x = 0; x < nHosts; x++) {
        hosts.add(
            new HostInfo(
                hostIds[x],
                capacity[x],
                memCapacity[x],
                cpu[x],
                mem[x],
                Set.of(ImageFormat.QCOW2),
                true,
                1L << 40,
                trendPerHour(x, trendSteps, k)));
      }
      PlacementRequest request =
          new PlacementRequest(id, vm.vmId(), hostIds[h], cpuNeed, memNeed, 0, avoid);
      Placement p = selector.select(request, hosts);
      if (p.targetHostId().isEmpty()) {
        refuse(now, h, vm.vmId(), trigger, p.explain());
        return;
      }
      String target = p.targetHostId().get();
      bookings.put(id, new Reservation(id, target, vm.vmId(), cpuNeed, memNeed));
      double memUsed = vm.sample(cursor[v]).memUsageKb();
      long end = now + (settings.cost().durationMs(memUsed) + 999) / 1000;
      boolean pingPong = false;
      int t = hostIndex.get(target);
      for (long[] d : departures.get(v)) {
        pingPong |= d[0] == t && now - d[1] < settings.rails().pingPongWindow().toSeconds();
      }
      if (pingPong) {
        pingPongs++;
      }
      Migration m =
          new Migration(
              id,
              vm.vmId(),
              hostIds[h],
              target,
              now,
              end,
              trigger,
              reason,
              settings.cost().bytes(memUsed),
              pingPong);
      active[v] = m;
      migrations.add(m);
      decisions.add(new Decision(now, hostIds[h], vm.vmId(), trigger, "MIGRATE", target, reason));
    }

    /** The workers' safety rails on simulated time; the veto's reason, or empty. */
    Optional<String> rails(int v, int h, long now) {
      Rails r = settings.rails();
      if (now - lastCompleted[v] < r.vmCooldown().toSeconds()) {
        return Optional.of(
            "VM %s is cooling down after its migration at %s (cooldown %s)"
                .formatted(
                    vms.get(v).vmId(), Instant.ofEpochSecond(lastCompleted[v]), r.vmCooldown()));
      }
      long fromHere =
          Arrays.stream(active).filter(m -> m != null && m.fromHostId().equals(hostIds[h])).count();
      if (fromHere >= r.maxPerSource()) {
        return Optional.of(
            "%d migrations already leave %s (cap %d)"
                .formatted(fromHere, hostIds[h], r.maxPerSource()));
      }
      long total = Arrays.stream(active).filter(m -> m != null).count();
      if (total >= r.maxTotal()) {
        return Optional.of(
            "%d migrations already in flight (cluster cap %d)".formatted(total, r.maxTotal()));
      }
      return Optional.empty();
    }

    void refuse(long now, int h, String vmId, String trigger, String why) {
      refused++;
      decisions.add(new Decision(now, hostIds[h], vmId, trigger, "REFUSED", "", why));
    }

    /** Least-squares slope of the host's CPU over the last hour of steps, MHz per hour. */
    double trendPerHour(int h, int n, int k) {
      if (n < 2) {
        return 0;
      }
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        y[i] = recentCpu[h][Math.floorMod(k - n + 1 + i, TREND_STEPS)];
      }
      return Stats.slope(y) * (3600.0 / STEP_S);
    }
  }
}
