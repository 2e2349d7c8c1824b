package io.vmdna.flink;

import io.vmdna.models.VmSample;
import java.time.Duration;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The DNA Profiler and Predictive Migration Engine as one Flink job:
 *
 * <pre>
 * samples ─keyBy(vm)─▶ VmProfileFunction   (DNA, baseline + anomaly flag, forecast)
 *         ─▶ BatchForecastOperator (with a model: XGBoost4J scoring in batches, same chain)
 *         ─keyBy(host)─▶ HostPressureFunction (Σ p90 vs capacity, pick the VM, host cooldown)
 *         ─keyBy(vm)─▶ SignalGateFunction  (per-VM cooldown)
 *         ─▶ sink (ZeebeSignalSink: message vm-resource-forecast)
 * </pre>
 *
 * Event time is the samples' timestamps. The source and sink are given in the constructor, so tests
 * inject a bounded source and a collecting sink. Operator uids are stable constants: changing one
 * orphans its state in savepoints.
 */
public final class DnaProfilerJob {
  public static final String UID_SOURCE = "vm-samples";
  public static final String UID_PROFILE = "vm-profile";
  public static final String UID_FORECAST = "vm-forecast-model";
  public static final String UID_HOST_PRESSURE = "host-pressure";
  public static final String UID_SIGNAL_GATE = "signal-gate";
  public static final String UID_SINK = "signal-sink";

  /** Rows scored at most per model call. */
  static final int MAX_SCORING_BATCH = 4096;

  private final Source<VmSample, ?, ?> source;
  private final Sink<MigrationSignal> sink;
  private final ProfilerConfig config;

  /**
   * @param source the samples (bounded for replays and tests)
   * @param sink where signals go
   * @param config the profiler's settings
   */
  public DnaProfilerJob(
      Source<VmSample, ?, ?> source, Sink<MigrationSignal> sink, ProfilerConfig config) {
    this.source = source;
    this.sink = sink;
    this.config = config;
  }

  /** Adds the job's operators to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    WatermarkStrategy<VmSample> watermarks =
        WatermarkStrategy.<VmSample>forBoundedOutOfOrderness(Duration.ofSeconds(config.stepS()))
            .withTimestampAssigner((s, ts) -> s.timestampS() * 1000);
    DataStream<VmSample> samples =
        env.fromSource(source, watermarks, "VM samples").uid(UID_SOURCE).setParallelism(1);
    DataStream<VmProfile> profiles =
        samples
            .keyBy(VmSample::vmId)
            .process(new VmProfileFunction(config))
            .uid(UID_PROFILE)
            .name("DNA, baseline and forecast per VM");
    if (config.usesModel()) {
      profiles =
          profiles
              .transform(
                  "XGBoost4J forecast (batched)",
                  TypeInformation.of(VmProfile.class),
                  new BatchForecastOperator(
                      config.forecastModel(),
                      config.modelHorizonSamples(),
                      config.forecaster().thresholdPct(),
                      MAX_SCORING_BATCH))
              .uid(UID_FORECAST);
    }
    DataStream<MigrationSignal> candidates =
        profiles
            .keyBy(VmProfile::hostId)
            .process(new HostPressureFunction(config))
            .uid(UID_HOST_PRESSURE)
            .name("host demand and VM choice");
    candidates
        .keyBy(MigrationSignal::vmId)
        .process(new SignalGateFunction(config.vmCooldownS()))
        .uid(UID_SIGNAL_GATE)
        .name("signal gate (per-VM cooldown)")
        .sinkTo(sink)
        .uid(UID_SINK)
        .name("publish vm-resource-forecast");
  }

  /**
   * Builds and runs the job on {@code env}, blocking until a bounded source is exhausted.
   *
   * @return the result, with the counters {@link Counters} reads
   */
  public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
    build(env);
    return env.execute("vmdna DnaProfilerJob");
  }

  /**
   * The job's counters after a run.
   *
   * @param vms VMs seen
   * @param samples samples processed
   * @param anomalies samples the control chart flagged
   * @param signals signals that passed the gate
   * @param suppressed signals the gate held back
   * @param modelForecasts forecasts made by the XGBoost4J model (0 with the trend rule)
   * @param modelBatches batches the model scored them in
   */
  public record Counters(
      long vms,
      long samples,
      long anomalies,
      long signals,
      long suppressed,
      long modelForecasts,
      long modelBatches) {
    /** Reads the counters from a finished run. */
    public static Counters of(JobExecutionResult r) {
      return new Counters(
          get(r, VmProfileFunction.VMS),
          get(r, VmProfileFunction.SAMPLES),
          get(r, VmProfileFunction.ANOMALIES),
          get(r, SignalGateFunction.SIGNALS),
          get(r, SignalGateFunction.SUPPRESSED),
          get(r, BatchForecastOperator.FORECASTS),
          get(r, BatchForecastOperator.BATCHES));
    }

    private static long get(JobExecutionResult r, String name) {
      Object v = r.getAccumulatorResult(name);
      return v == null ? 0 : ((Number) v).longValue();
    }
  }
}
