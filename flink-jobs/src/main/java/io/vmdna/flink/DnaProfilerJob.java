package io.vmdna.flink;

import io.vmdna.models.SampleCheck;
import io.vmdna.models.VmSample;
import io.vmdna.models.dna.FlowRecord;
import io.vmdna.store.DnaRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The DNA Profiler and Predictive Migration Engine as one Flink job:
 *
 * <pre>
 * samples ─▶ ValidateSamplesFunction (bad and late samples to a side output, counted)
 *         ─keyBy(vm)─▶ VmProfileFunction   (DNA, baseline + anomaly flag, forecast)
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
  public static final String UID_FLOW_SOURCE = "vm-flow-records";
  public static final String UID_VALIDATE = "validate-samples";
  public static final String UID_REJECTED_SINK = "rejected-samples-sink";
  public static final String UID_PROFILE = "vm-profile";
  public static final String UID_FORECAST = "vm-forecast-model";
  public static final String UID_HOST_PRESSURE = "host-pressure";
  public static final String UID_SIGNAL_GATE = "signal-gate";
  public static final String UID_SINK = "signal-sink";
  public static final String UID_DNA_HISTORY_SINK = "dna-history-sink";

  /** A live source's partition that sends nothing this long stops holding back event time. */
  static final Duration SOURCE_IDLENESS = Duration.ofMinutes(1);

  /** Rows scored at most per model call. */
  public static final int MAX_SCORING_BATCH = 4096;

  /** Default data gate: any VM, timestamps at most a day ahead of the newest accepted one. */
  public static final SampleCheck DEFAULT_CHECK = new SampleCheck(Set.of(), 86_400);

  private final Source<VmSample, ?, ?> source;
  private final Sink<MigrationSignal> sink;
  private final ProfilerConfig config;
  private final SampleCheck check;
  private final Sink<RejectedSample> rejected;
  private final Sink<DnaRecord> dnaHistory;
  private final Source<FlowRecord, ?, ?> flows; // null: no flow collector

  /**
   * @param source the samples (bounded for replays and tests)
   * @param sink where signals go
   * @param config the profiler's settings
   */
  public DnaProfilerJob(
      Source<VmSample, ?, ?> source, Sink<MigrationSignal> sink, ProfilerConfig config) {
    this(source, sink, config, DEFAULT_CHECK, new DiscardingSink<>());
  }

  /**
   * @param source the samples (bounded for replays and tests)
   * @param sink where signals go
   * @param config the profiler's settings
   * @param check the data gate (which VMs, how far ahead a timestamp may be)
   * @param rejected where rejected and late samples go (they are also counted per reason)
   */
  public DnaProfilerJob(
      Source<VmSample, ?, ?> source,
      Sink<MigrationSignal> sink,
      ProfilerConfig config,
      SampleCheck check,
      Sink<RejectedSample> rejected) {
    this.source = source;
    this.sink = sink;
    this.config = config;
    this.check = check;
    this.rejected = rejected;
    this.dnaHistory = new DiscardingSink<>();
    this.flows = null;
  }

  private DnaProfilerJob(
      DnaProfilerJob job, Sink<DnaRecord> dnaHistory, Source<FlowRecord, ?, ?> flows) {
    this.source = job.source;
    this.sink = job.sink;
    this.config = job.config;
    this.check = job.check;
    this.rejected = job.rejected;
    this.dnaHistory = dnaHistory;
    this.flows = flows;
  }

  /**
   * A copy that also reads the VMs' network flow records (a conntrack collector's, or any
   * collector's {@link FlowRecord}s), keyed by VM into the profile ({@link
   * VmProfileFlowsFunction}): each VM's DNA then has its traffic features. Records of VMs the job
   * never sees samples of are kept for nothing but bounded ({@link FlowWindow}).
   */
  public DnaProfilerJob withFlows(Source<FlowRecord, ?, ?> flowRecords) {
    return new DnaProfilerJob(this, dnaHistory, flowRecords);
  }

  /**
   * A copy that also writes every schema-2 DNA it computes (a VM's first, then one every 3 hours)
   * to {@code dnaHistory}, e.g. a {@link DnaHistorySink} into the state store. Without it the
   * history is discarded.
   */
  public DnaProfilerJob withDnaHistory(Sink<DnaRecord> dnaHistory) {
    return new DnaProfilerJob(this, dnaHistory, flows);
  }

  /**
   * Adds the job's operators to {@code env}. Object reuse stays off: with it, Flink deserialises
   * network input into a reused instance, and the host operator keeps the profiles it receives
   * (measured: the bench then gave no signal at all).
   */
  public void build(StreamExecutionEnvironment env) {
    WatermarkStrategy<VmSample> watermarks =
        WatermarkStrategy.<VmSample>forBoundedOutOfOrderness(Duration.ofSeconds(config.stepS()))
            .withTimestampAssigner((s, ts) -> s.timestampS() * 1000);
    if (source.getBoundedness() == Boundedness.CONTINUOUS_UNBOUNDED) {
      // a live source (Kafka): a partition that gets no samples must not hold back event time
      watermarks = watermarks.withIdleness(SOURCE_IDLENESS);
    }
    SingleOutputStreamOperator<VmSample> samples =
        env.fromSource(source, watermarks, "VM samples")
            .uid(UID_SOURCE)
            .setParallelism(1)
            .process(new ValidateSamplesFunction(check))
            .uid(UID_VALIDATE)
            .name("validate samples (bad and late to a side output)")
            .setParallelism(1);
    samples
        .getSideOutput(ValidateSamplesFunction.REJECTED)
        .sinkTo(rejected)
        .uid(UID_REJECTED_SINK)
        .name("rejected samples");
    SingleOutputStreamOperator<VmProfile> profiled;
    if (flows == null) {
      profiled =
          samples
              .keyBy(VmSample::vmId)
              .process(new VmProfileFunction(config))
              .uid(UID_PROFILE)
              .name("DNA, baseline and forecast per VM");
    } else {
      WatermarkStrategy<FlowRecord> flowWatermarks =
          WatermarkStrategy.<FlowRecord>forBoundedOutOfOrderness(Duration.ofSeconds(config.stepS()))
              .withTimestampAssigner((f, ts) -> f.timestampS() * 1000)
              // a collector that has nothing to report must not hold back the samples' time
              .withIdleness(SOURCE_IDLENESS);
      DataStream<FlowRecord> flowRecords =
          env.fromSource(flows, flowWatermarks, "VM flow records")
              .uid(UID_FLOW_SOURCE)
              .setParallelism(1);
      profiled =
          samples
              .keyBy(VmSample::vmId)
              .connect(flowRecords.keyBy(FlowRecord::vmId))
              .process(new VmProfileFlowsFunction(config))
              .uid(UID_PROFILE)
              .name("DNA (with flows), baseline and forecast per VM");
    }
    profiled
        .getSideOutput(VmProfileFunction.DNA_HISTORY)
        .sinkTo(dnaHistory)
        .uid(UID_DNA_HISTORY_SINK)
        .name("DNA history");
    DataStream<VmProfile> profiles = profiled;
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
   * @param rejected samples rejected, by reason ({@link SampleCheck.Reason} names and LATE), only
   *     reasons seen
   */
  public record Counters(
      long vms,
      long samples,
      long anomalies,
      long signals,
      long suppressed,
      long modelForecasts,
      long modelBatches,
      Map<String, Long> rejected) {
    /** Reads the counters from a finished run. */
    public static Counters of(JobExecutionResult r) {
      return new Counters(
          get(r, VmProfileFunction.VMS),
          get(r, VmProfileFunction.SAMPLES),
          get(r, VmProfileFunction.ANOMALIES),
          get(r, SignalGateFunction.SIGNALS),
          get(r, SignalGateFunction.SUPPRESSED),
          get(r, BatchForecastOperator.FORECASTS),
          get(r, BatchForecastOperator.BATCHES),
          rejected(r));
    }

    private static Map<String, Long> rejected(JobExecutionResult r) {
      Map<String, Long> m = new TreeMap<>();
      r.getAllAccumulatorResults()
          .forEach(
              (name, v) -> {
                if (name.startsWith(ValidateSamplesFunction.COUNTER_PREFIX)
                    && ((Number) v).longValue() > 0) {
                  m.put(
                      name.substring(ValidateSamplesFunction.COUNTER_PREFIX.length()),
                      ((Number) v).longValue());
                }
              });
      return m;
    }

    private static long get(JobExecutionResult r, String name) {
      Object v = r.getAccumulatorResult(name);
      return v == null ? 0 : ((Number) v).longValue();
    }
  }
}
