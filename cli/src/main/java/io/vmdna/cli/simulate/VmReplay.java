package io.vmdna.cli.simulate;

import io.vmdna.flink.ProfilerConfig;
import io.vmdna.flink.VmDna;
import io.vmdna.flink.VmProfiler;
import io.vmdna.models.VmSample;
import io.vmdna.models.dna.DnaCalculator;
import io.vmdna.models.dna.DnaExtractor;
import io.vmdna.models.dna.DnaModel;
import io.vmdna.models.dna.DnaSeries;
import io.vmdna.models.forecast.Forecast;
import io.vmdna.models.predict.ForecastModel;
import io.vmdna.models.predict.SeriesArrays;
import io.vmdna.models.predict.Target;
import io.vmdna.models.trace.VmTrace;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One VM's trace as the simulator replays it, with what the profiler would know after each sample:
 * the anomaly verdict ({@link VmProfiler#anomaly}: the control chart on CPU and the ensemble on CPU
 * % and memory %; not the DNA's own detectors, which the job adds at each new DNA) and, when a
 * model is given, the model's forecast. Both depend only on the VM's own past samples (never on its
 * host), so they are computed once, walking forward, and shared by every policy run. Immutable
 * after construction.
 */
public final class VmReplay {
  private final String vmId;
  private final List<VmSample> samples;
  final long[] timestampS;
  private final double cpuProvisionedMhz;
  private final double memProvisionedKb;
  private final double[] anomalyScore;
  private final boolean[] anomalous;
  private final Map<Integer, List<String>> detectors = new HashMap<>();
  private final int minSamples;
  private final long horizonS;
  private final double thresholdPct;
  private double[] p50Pct;
  private double[] p90Pct;
  private double[] pExceed;
  private double[] memP90Pct;
  private double[] netP90Kbps;

  /**
   * Replays {@code trace} through the profiler's per-VM anomaly detection ({@link
   * VmProfiler#anomaly} under {@code config}).
   */
  public VmReplay(VmTrace trace, ProfilerConfig config) {
    this.vmId = trace.vmId();
    this.samples = trace.samples();
    int n = samples.size();
    this.timestampS = new long[n];
    this.anomalyScore = new double[n];
    this.anomalous = new boolean[n];
    this.minSamples = config.minSamples();
    this.horizonS = config.forecaster().horizonS();
    this.thresholdPct = config.forecaster().thresholdPct();
    double cpu = 0;
    double mem = 0;
    VmProfiler.State state = new VmProfiler.State(); // the anomaly parts only
    for (int i = 0; i < n; i++) {
      VmSample s = samples.get(i);
      timestampS[i] = s.timestampS();
      cpu = Math.max(cpu, s.cpuProvisionedMhz());
      mem = Math.max(mem, s.memProvisionedKb());
      VmProfiler.Anomaly a = VmProfiler.anomaly(config, state, s);
      anomalyScore[i] = a.score();
      anomalous[i] = a.alarm();
      if (a.alarm()) {
        detectors.put(i, a.detectors());
      }
    }
    this.cpuProvisionedMhz = cpu;
    this.memProvisionedKb = mem;
  }

  /**
   * Scores the model's forecasts for every sample at once (the features of sample {@code i} read
   * samples {@code 0..i} only, as the streaming job's history does).
   *
   * @param horizon samples ahead
   */
  public void forecastWith(ForecastModel model, int horizon) {
    SeriesArrays s = SeriesArrays.of(samples);
    int n = s.size();
    float[] x = model.rows(s, horizon, 0, null);
    ForecastModel.AtTarget cpu = model.scoreCpuAtTarget(x, n, horizon, thresholdPct);
    double[][] mem = model.quantiles(Target.MEM_PCT, horizon, x, n);
    double[][] net = model.quantiles(Target.NET_KBPS, horizon, x, n);
    p50Pct = cpu.p50();
    p90Pct = cpu.p90();
    pExceed = cpu.pExceed();
    memP90Pct = mem[1];
    netP90Kbps = net[1];
  }

  /** The VM's id (its trace file name without extensions). */
  public String vmId() {
    return vmId;
  }

  /** The largest provisioned CPU of the trace, MHz. */
  public double cpuProvisionedMhz() {
    return cpuProvisionedMhz;
  }

  /** The largest provisioned memory of the trace, KiB. */
  public double memProvisionedKb() {
    return memProvisionedKb;
  }

  /** The sample at index {@code i}. */
  VmSample sample(int i) {
    return samples.get(i);
  }

  /** Whether the profiler has a profile after sample {@code i} (its window holds minSamples). */
  boolean profiled(int i) {
    return i >= minSamples - 1 && p50Pct != null;
  }

  /** The forecast made after sample {@code i}; only when {@link #profiled}. */
  Forecast forecast(int i) {
    VmSample s = samples.get(i);
    return Forecast.ofPercent(
        horizonS,
        p50Pct[i],
        p90Pct[i],
        pExceed[i],
        thresholdPct,
        s.cpuProvisionedMhz(),
        memP90Pct[i],
        s.memProvisionedKb(),
        netP90Kbps[i]);
  }

  double anomalyScore(int i) {
    return anomalyScore[i];
  }

  boolean anomalous(int i) {
    return anomalous[i];
  }

  /** What flagged sample {@code i} as anomalous ({@code detector@feature}); empty if nothing. */
  List<String> detectors(int i) {
    return detectors.getOrDefault(i, List.of());
  }

  /**
   * The DNA a signal after sample {@code i} carries, as the streaming job computes it: with a DNA
   * model the schema-2 DNA of the history up to the first sample of {@code i}'s 3-hour period (or
   * the VM's first profile), encoded; without, the short schema-1 DNA of the profile window.
   */
  VmDna dna(int i, ProfilerConfig config, DnaModel model, DnaExtractor extractor) {
    if (model == null) {
      int from = Math.max(0, i + 1 - config.windowSamples());
      return VmDna.raw(new DnaCalculator().compute(samples.subList(from, i + 1)));
    }
    // the job computes it at the VM's first profile and at the first sample of each 3-hour period
    int at = i;
    while (at > config.minSamples() - 1
        && timestampS[at - 1] / VmProfiler.DNA_EVERY_S == timestampS[i] / VmProfiler.DNA_EVERY_S) {
      at--;
    }
    int from = Math.max(0, at + 1 - config.historySamples());
    return VmDna.encoded(model, extractor.compute(DnaSeries.of(samples.subList(from, at + 1))));
  }
}
