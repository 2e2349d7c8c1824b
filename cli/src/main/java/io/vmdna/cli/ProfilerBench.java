package io.vmdna.cli;

import io.vmdna.flink.BatchForecastOperator;
import io.vmdna.flink.DnaProfilerJob;
import io.vmdna.flink.FeedSource;
import io.vmdna.flink.InJvmFeeds;
import io.vmdna.flink.MigrationSignal;
import io.vmdna.flink.ProfilerConfig;
import io.vmdna.flink.VmProfile;
import io.vmdna.flink.VmProfiler;
import io.vmdna.hypervisor.api.SampleFeed;
import io.vmdna.models.VmSample;
import io.vmdna.models.predict.ForecastModel;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.SkippedLine;
import io.vmdna.models.trace.VmTrace;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * {@code ./vmdna bench-profiler}: the fleet-scale replay of issue 7. For each fleet size, {@code
 * vms} simulated VMs on {@code vms / vmsPerHost} hosts replay the traces of one or more folders (VM
 * {@code i} replays trace {@code i mod traces}, so the load is real Bitbrains behaviour; with
 * several folders, such as a month each, a VM's files of the same name are joined in the folders'
 * order) through the whole {@link DnaProfilerJob} on a local Flink MiniCluster, as fast as it goes;
 * signals go to a discarding sink. Reports the job's wall time (Flink's net runtime: submission to
 * the end of the last sink, with the tasks' deployment and the operators' start, the models'
 * loading included) and, beside it, the time with the local cluster's start; samples/s (overall and
 * per slot), µs per sample (constant if cost grows linearly with the fleet) and the JVM's peak heap
 * during the run; then the same per-sample code ({@link VmProfiler} and the batched scoring of
 * {@link BatchForecastOperator}) over the same replay in a plain single-threaded loop without
 * Flink, and the job's rate per slot as a share of that loop's rate.
 *
 * <p>Samples are generated step by step from the traces (nothing held per sample), so the heap
 * figure is the job's state and working memory, not the bench's input.
 *
 * @param traces trace folders, joined per VM in this order
 * @param fleetSizes VM counts to run, in order
 * @param vmsPerHost VMs per host (20: 500 hosts at 10,000 VMs)
 * @param steps 5-minute steps per VM (at most the shortest trace's length)
 * @param parallelism Flink parallelism (slots)
 * @param forecastModel shipped, trend or a model folder
 * @param anomaly {@code chart} or {@code ensemble} ({@link ProfilerConfig#anomalyNamed}); the
 *     ensemble scores nothing during its first two days, so measure its cost with more steps
 * @param warmups unreported runs before the measured ones (of the first size, at most 100 VMs)
 */
public record ProfilerBench(
    List<Path> traces,
    List<Integer> fleetSizes,
    int vmsPerHost,
    int steps,
    int parallelism,
    String forecastModel,
    String anomaly,
    int warmups) {

  /** Validates the sizes. */
  public ProfilerBench {
    traces = List.copyOf(traces);
    fleetSizes = List.copyOf(fleetSizes);
    ProfilerConfig.anomalyNamed(anomaly); // fails naming a bad value
    if (traces.isEmpty()) {
      throw new IllegalArgumentException("bench-profiler: --traces needs at least one folder");
    }
    if (fleetSizes.isEmpty() || fleetSizes.stream().anyMatch(n -> n < 1)) {
      throw new IllegalArgumentException(
          "bench-profiler: --vms needs sizes >= 1, was " + fleetSizes);
    }
    if (vmsPerHost < 1 || steps < 2 || parallelism < 1 || warmups < 0) {
      throw new IllegalArgumentException(
          "bench-profiler: need --vms-per-host >= 1, --steps >= 2, --parallelism >= 1, --warmups >= 0; were %d, %d, %d, %d"
              .formatted(vmsPerHost, steps, parallelism, warmups));
    }
  }

  /**
   * One fleet size's result.
   *
   * @param vms VMs
   * @param hosts hosts
   * @param samples samples processed
   * @param seconds the job's wall time, Flink's net runtime (submission to the end)
   * @param withClusterStartSeconds wall time with the local cluster's start
   * @param peakHeapMiB the JVM's peak heap use during the run
   * @param signals signals the job emitted
   * @param loopSamplesPerSecond the same code in a plain single-threaded loop, samples/s
   * @param loopSignals signals the plain loop's host view and gate let through (the job's count
   *     when the loop does the job's work)
   * @param busiestSlotShare the share of the VMs (so of the samples) that Flink's key groups give
   *     the busiest profile subtask: with few VMs the hash split is uneven (42 / 58 % for the 100
   *     VMs of the sample at parallelism 2), the job lasts as long as that subtask, and the other
   *     waits part of the time
   */
  public record Row(
      int vms,
      int hosts,
      long samples,
      double seconds,
      double withClusterStartSeconds,
      double peakHeapMiB,
      long signals,
      double loopSamplesPerSecond,
      long loopSignals,
      double busiestSlotShare) {
    /** Samples per second of the job's wall time, overall. */
    public double samplesPerSecond() {
      return samples / seconds;
    }

    /** Samples per second with the local cluster's start counted too. */
    public double samplesPerSecondWithClusterStart() {
      return samples / withClusterStartSeconds;
    }

    /** The job's rate per slot as a share of the plain loop's rate on one thread. */
    public double shareOfLoop(int parallelism) {
      return samplesPerSecond() / parallelism / loopSamplesPerSecond;
    }

    /**
     * The busiest slot's rate as a share of the plain loop's: what a slot does while it works, with
     * the key split's imbalance left out.
     */
    public double busiestSlotShareOfLoop() {
      return samples * busiestSlotShare / seconds / loopSamplesPerSecond;
    }

    /** Microseconds per sample (constant when cost grows linearly with the fleet). */
    public double microsPerSample() {
      return seconds * 1e6 / samples;
    }
  }

  /** Runs every fleet size; prints a table and returns the rows. */
  public List<Row> run(PrintStream out) throws Exception {
    List<VmTrace> base = new ArrayList<>();
    for (VmTrace t : joined(traces, new BitbrainsTraceReader())) {
      if (t.samples().size() >= steps) {
        base.add(t);
      }
    }
    if (base.isEmpty()) {
      throw new IllegalArgumentException(
          "bench-profiler: no trace in " + traces + " has " + steps + " samples (--steps)");
    }
    out.printf(
        "bench-profiler: %d traces from %s, %d steps per VM, %d VMs per host, parallelism %d,"
            + " model %s, anomaly detection %s%n",
        base.size(), traces, steps, vmsPerHost, parallelism, forecastModel, anomaly);
    out.println(
        "| VMs | hosts | samples | job seconds | samples/s | samples/s per slot | µs/sample | seconds with the cluster's start | samples/s with it | peak heap MiB | signals | plain loop samples/s (1 thread) | loop signals | per slot / loop | busiest slot's share of VMs | busiest slot / loop |");
    out.println(
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    // unreported warm-up runs: JIT (C2 still compiles through a first run of the 2-month shape),
    // the model's first load, the MiniCluster's first start
    for (int w = 0; w < warmups; w++) {
      runOne(base, Math.min(fleetSizes.getFirst(), 100));
    }
    List<Row> rows = new ArrayList<>();
    for (int n : fleetSizes) {
      Row r = runOne(base, n);
      rows.add(r);
      out.printf(
          "| %,d | %,d | %,d | %.1f | %,.0f | %,.0f | %.1f | %.1f | %,.0f | %,.0f | %,d | %,.0f | %,d | %.2f | %.0f %% | %.2f |%n",
          r.vms(),
          r.hosts(),
          r.samples(),
          r.seconds(),
          r.samplesPerSecond(),
          r.samplesPerSecond() / parallelism,
          r.microsPerSample(),
          r.withClusterStartSeconds(),
          r.samplesPerSecondWithClusterStart(),
          r.peakHeapMiB(),
          r.signals(),
          r.loopSamplesPerSecond(),
          r.loopSignals(),
          r.shareOfLoop(parallelism),
          100 * r.busiestSlotShare(),
          r.busiestSlotShareOfLoop());
    }
    return rows;
  }

  private Row runOne(List<VmTrace> base, int vms) throws Exception {
    int hosts = (vms + vmsPerHost - 1) / vmsPerHost;
    Replay feed = new Replay(base, vms, vmsPerHost, steps);
    Map<String, Double> capacities = new LinkedHashMap<>();
    // hosts sized like the simulator's default fleet: provisioned CPU overcommitted 2.5 times
    for (int h = 0; h < hosts; h++) {
      capacities.put(Replay.host(h), feed.provisionedMhz(h) / 2.5);
    }
    String name = "bench-profiler-" + vms + "-" + System.nanoTime();
    InJvmFeeds.register(name, feed);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    AtomicLong peak = new AtomicLong(memory.getHeapMemoryUsage().getUsed());
    Thread sampler =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                      Thread.sleep(100);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    try {
      Configuration conf = new Configuration();
      conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
      long t0 = System.nanoTime();
      JobExecutionResult result =
          new DnaProfilerJob(
                  FeedSource.of(name, FeedSource.UNPACED),
                  new DiscardingSink<MigrationSignal>(),
                  config(capacities))
              .execute(env);
      double withStart = (System.nanoTime() - t0) / 1e9;
      double seconds = result.getNetRuntime(TimeUnit.MILLISECONDS) / 1e3;
      DnaProfilerJob.Counters c = DnaProfilerJob.Counters.of(result);
      if (c.samples() != (long) vms * steps) {
        throw new IllegalStateException(
            "bench-profiler: the job processed %d samples, the replay had %d (rejected: %s)"
                .formatted(c.samples(), (long) vms * steps, c.rejected()));
      }
      double heap = peak.get() / 1048576.0;
      sampler.interrupt();
      Loop loop = plainLoop(base, vms, capacities);
      return new Row(
          vms,
          hosts,
          c.samples(),
          seconds,
          withStart,
          heap,
          c.signals(),
          loop.samplesPerSecond(),
          loop.signals(),
          busiestShare(vms));
    } finally {
      sampler.interrupt();
      InJvmFeeds.unregister(name);
    }
  }

  /**
   * Each VM's traces from the folders, joined in the folders' order (files of the same name are the
   * same VM; a VM missing from a folder is joined from the others), in the first folder's order.
   *
   * @throws IllegalArgumentException when a folder's samples of a VM do not come after the earlier
   *     folders' (naming the VM and both folders)
   */
  static List<VmTrace> joined(List<Path> dirs, BitbrainsTraceReader reader) throws IOException {
    Map<String, VmTrace> byVm = new LinkedHashMap<>();
    Map<String, Path> lastDir = new HashMap<>();
    for (Path dir : dirs) {
      for (Path f : BitbrainsTraceReader.listTraceFiles(dir)) {
        VmTrace t = reader.read(f);
        VmTrace before = byVm.get(t.vmId());
        if (before == null || t.samples().isEmpty()) {
          byVm.putIfAbsent(t.vmId(), t);
          lastDir.putIfAbsent(t.vmId(), dir);
          continue;
        }
        long end = before.samples().getLast().timestampS();
        long start = t.samples().getFirst().timestampS();
        if (start <= end) {
          throw new IllegalArgumentException(
              "bench-profiler: VM %s's samples in %s start at %d s, not after those in %s (end %d s): give --traces in time order"
                  .formatted(t.vmId(), dir, start, lastDir.get(t.vmId()), end));
        }
        List<VmSample> all = new ArrayList<>(before.samples());
        all.addAll(t.samples());
        List<SkippedLine> skipped = new ArrayList<>(before.skipped());
        skipped.addAll(t.skipped());
        byVm.put(t.vmId(), new VmTrace(t.vmId(), before.file(), all, skipped));
        lastDir.put(t.vmId(), dir);
      }
    }
    return new ArrayList<>(byVm.values());
  }

  /**
   * The share of the replay's VMs that the busiest profile subtask gets: the job keys by VM id over
   * Flink's default number of key groups (no maximum parallelism is set).
   */
  double busiestShare(int vms) {
    int[] per = new int[parallelism];
    int maxParallelism = KeyGroupRangeAssignment.computeDefaultMaxParallelism(parallelism);
    for (int i = 0; i < vms; i++) {
      per[
          KeyGroupRangeAssignment.assignKeyToParallelOperator(
              Replay.vm(i), maxParallelism, parallelism)]++;
    }
    return (double) java.util.Arrays.stream(per).max().orElse(0) / vms;
  }

  private ProfilerConfig config(Map<String, Double> capacities) {
    return ProfilerConfig.defaults(capacities)
        .withForecastModel(forecastModel)
        .withAnomaly(ProfilerConfig.anomalyNamed(anomaly));
  }

  /**
   * The job's per-sample code without Flink, on one thread: every sample of the same replay through
   * {@link VmProfiler} (one state per VM in a map), the model's scoring in batches of {@link
   * DnaProfilerJob#MAX_SCORING_BATCH}, and the host view ({@link HostView}: each host's latest
   * profiles assessed once per step, with both cooldowns), as the job's profile, forecast, host and
   * gate operators do: the job's code without Flink, and the same signals come out of it. (The host
   * view was left out before as a small share; its own work is, the job's gap is Flink's.)
   *
   * @return samples per second and the signals let through
   */
  private Loop plainLoop(List<VmTrace> base, int vms, Map<String, Double> capacities) {
    ProfilerConfig config = config(capacities);
    VmProfiler profiler = new VmProfiler(config);
    Map<String, VmProfiler.State> states = new HashMap<>();
    Replay feed = new Replay(base, vms, vmsPerHost, steps);
    List<VmProfile> batch = new ArrayList<>(DnaProfilerJob.MAX_SCORING_BATCH);
    HostView hosts = new HostView(config);
    long n = 0;
    try (ForecastModel model =
        config.usesModel() ? ForecastModel.open(config.forecastModel(), 1) : null) {
      long t0 = System.nanoTime();
      for (List<VmSample> step = feed.nextStep(); !step.isEmpty(); step = feed.nextStep()) {
        for (VmSample s : step) {
          n++;
          VmProfile p =
              profiler
                  .profile(states.computeIfAbsent(s.vmId(), k -> new VmProfiler.State()), s)
                  .profile();
          if (p == null) {
            continue;
          }
          if (model == null) {
            hosts.add(p);
          } else {
            batch.add(p);
            if (batch.size() == DnaProfilerJob.MAX_SCORING_BATCH) {
              score(model, config, batch).forEach(hosts::add);
            }
          }
        }
      }
      if (model != null && !batch.isEmpty()) {
        score(model, config, batch).forEach(hosts::add);
      }
      hosts.endStep();
      return new Loop(n / ((System.nanoTime() - t0) / 1e9), hosts.signals);
    }
  }

  /** The plain loop's rate, samples/s, and the signals its host view let through. */
  record Loop(double samplesPerSecond, long signals) {}

  /**
   * The host and signal-gate operators' work without Flink state: profiles arrive in step order;
   * when a step ends, every host that got a profile in it is assessed over its VMs' latest profiles
   * ({@code HostAssessment}, stale VMs dropped); a verdict outside the host's cooldown for its kind
   * and outside the VM's cooldown for its kind counts as a signal, as in the job. Not thread-safe.
   */
  static final class HostView {
    private final ProfilerConfig config;
    private final io.vmdna.models.forecast.HostAssessment assessment;
    private final Map<String, Map<String, VmProfile>> latest = new HashMap<>();
    private final Map<String, Long> hostLastS = new HashMap<>(); // "kind host" -> step end, s
    private final Map<String, Long> vmLastS = new HashMap<>(); // "kind vm" -> step end, s
    private final java.util.Set<String> touched = new java.util.LinkedHashSet<>();
    private long step = Long.MIN_VALUE;
    long signals;

    HostView(ProfilerConfig config) {
      this.config = config;
      this.assessment =
          new io.vmdna.models.forecast.HostAssessment(
              config.overloadFraction(),
              config.minPExceed(),
              config.anomalyFraction(),
              config.anomalyMinScore());
    }

    void add(VmProfile p) {
      long s = p.windowEndS() / config.stepS();
      if (s != step) {
        endStep();
        step = s;
      }
      latest.computeIfAbsent(p.hostId(), k -> new HashMap<>()).put(p.vmId(), p);
      touched.add(p.hostId());
    }

    void endStep() {
      long nowS = (step + 1) * config.stepS();
      for (String host : touched) {
        Double capacity = config.hostCapacityMhz().get(host);
        Map<String, VmProfile> vms = latest.get(host);
        vms.values().removeIf(p -> nowS - p.windowEndS() > config.staleAfterS());
        if (capacity == null || vms.isEmpty()) {
          continue;
        }
        List<io.vmdna.models.forecast.HostAssessment.VmView> views = new ArrayList<>(vms.size());
        for (VmProfile p : vms.values()) {
          views.add(p.assessmentView());
        }
        var verdict = assessment.assess(host, views, capacity);
        if (verdict.isEmpty()) {
          continue;
        }
        String kind = verdict.get().kind().name() + " ";
        Long hostLast = hostLastS.get(kind + host);
        if (hostLast != null && nowS - hostLast < config.hostCooldownS()) {
          continue;
        }
        hostLastS.put(kind + host, nowS);
        String vm = kind + verdict.get().vm().vmId();
        Long vmLast = vmLastS.get(vm);
        if (vmLast == null || nowS - vmLast >= config.vmCooldownS()) {
          vmLastS.put(vm, nowS);
          signals++;
        }
      }
      touched.clear();
    }
  }

  /** Scores and empties {@code batch}; returns the profiles with their forecasts. */
  private static List<VmProfile> score(
      ForecastModel model, ProfilerConfig config, List<VmProfile> batch) {
    List<VmProfile> scored =
        BatchForecastOperator.score(
            model, config.modelHorizonSamples(), config.forecaster().thresholdPct(), batch);
    batch.clear();
    return scored;
  }

  /**
   * VM {@code i} replays trace {@code i mod traces} as {@code vm-i} on host {@code i / vmsPerHost},
   * step by step (samples are made when a step is pulled). Thread-safe.
   */
  static final class Replay implements SampleFeed {
    /** Every VM reports on one 5-minute grid (a trace's gaps would otherwise skew its clock). */
    static final long STEP_S = 300;

    private final List<VmTrace> base;
    private final long startS;
    private final int vms;
    private final int vmsPerHost;
    private final int steps;
    private int step;

    Replay(List<VmTrace> base, int vms, int vmsPerHost, int steps) {
      this.base = base;
      this.vms = vms;
      this.vmsPerHost = vmsPerHost;
      this.steps = steps;
      this.startS =
          base.stream().mapToLong(t -> t.samples().getFirst().timestampS()).min().orElseThrow();
    }

    static String vm(int i) {
      return "vm-" + i;
    }

    static String host(int h) {
      return "host-" + h;
    }

    double provisionedMhz(int h) {
      double sum = 0;
      for (int i = h * vmsPerHost; i < Math.min(vms, (h + 1) * vmsPerHost); i++) {
        sum += base.get(i % base.size()).samples().getFirst().cpuProvisionedMhz();
      }
      return sum;
    }

    @Override
    public synchronized List<VmSample> nextStep() {
      if (step >= steps) {
        return List.of();
      }
      List<VmSample> out = new ArrayList<>(vms);
      for (int i = 0; i < vms; i++) {
        out.add(
            base.get(i % base.size())
                .samples()
                .get(step)
                .relabelled(vm(i), host(i / vmsPerHost), startS + step * STEP_S));
      }
      step++;
      return out;
    }

    @Override
    public synchronized long remainingSamples() {
      return (long) (steps - step) * vms;
    }
  }
}
