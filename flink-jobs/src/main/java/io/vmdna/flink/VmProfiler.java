package io.vmdna.flink;

import io.vmdna.models.VmSample;
import io.vmdna.models.anomaly.AnomalyEnsemble;
import io.vmdna.models.dna.Dna;
import io.vmdna.models.dna.DnaCalculator;
import io.vmdna.models.dna.DnaColumns;
import io.vmdna.models.dna.DnaExtractor;
import io.vmdna.models.dna.DnaModel;
import io.vmdna.models.dna.EwmaControlChart;
import io.vmdna.models.forecast.Forecast;
import io.vmdna.models.forecast.TrendForecaster;
import io.vmdna.models.predict.ForecastFeatures;
import io.vmdna.store.DnaRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What the profile does with one VM's sample, without Flink: keep the history, score the sample for
 * anomalies, refresh the DNA on its cadence, and forecast with the trend rule or, with a model,
 * build the model's feature row (the model's batch scoring gives the forecast). {@link
 * VmProfileFunction} runs it on keyed state; {@code ./vmdna bench-profiler} runs it in a plain loop
 * to compare.
 *
 * <p>DNA cadence: with a DNA model (the default) the schema-2 DNA of the whole history (24 h
 * windows; a week with a forecast model) and its embedding are computed on a VM's first profile and
 * again whenever its samples cross into a new 3-hour period ({@link #DNA_EVERY_S}, the stride the
 * DNA model was trained at), kept in the state and carried by every profile until then; without
 * one, the short schema-1 DNA of the last hour on every sample.
 *
 * <p>Anomalies ({@link #anomaly}): the EWMA control chart on CPU MHz (the per-VM baseline, {@link
 * #CHART_DETECTOR}) and, when configured, the calibrated {@link AnomalyEnsemble} on CPU % and
 * memory % ({@link #ANOMALY_FEATURES}; memory absent when the VM reports no provisioned memory),
 * which scores 0 for its two-day warm-up; an alarm names each detector and feature that fired
 * ({@code change-point@cpu_pct}). With {@link ProfilerConfig#anomaly()} null, the chart alone.
 *
 * <p>Not thread-safe (one per task; the DNA model and extractor are read-only but the calculator
 * keeps scratch space).
 */
public final class VmProfiler {
  /**
   * How often a VM's schema-2 DNA is recomputed, seconds: once per 3-hour period of the epoch (the
   * DNA model's training stride; hourly cost a quarter of the profiler's throughput, see the
   * README).
   */
  public static final long DNA_EVERY_S = 3 * 3600;

  /** The anomaly ensemble's features, in the order it takes them. */
  public static final List<String> ANOMALY_FEATURES = List.of("cpu_pct", "mem_pct");

  /** What an alarm of the EWMA chart alone names. */
  public static final String CHART_DETECTOR = "ewma@cpu_mhz";

  /** What a new DNA's detectors are named in an alarm. */
  public static final String AUTOENCODER_DETECTOR = "autoencoder@dna";

  public static final String ONE_CLASS_DETECTOR = "one-class-svm@dna";

  /**
   * One VM's state between samples (mutated by {@link #profile}).
   *
   * @see VmProfileFunction for how Flink keeps it
   */
  public static final class State {
    /** The samples (never null after the first sample). */
    public VmHistory history;

    /** The EWMA chart (null before the first sample). */
    public EwmaControlChart.State chart;

    /** The anomaly ensemble (null before the first sample, and without one). */
    public AnomalyEnsemble anomaly;

    /** The last schema-2 DNA (null before the first, and without a DNA model). */
    public VmDna dna;

    /** The VM's flow records of the last day (null without a flow collector). */
    public FlowWindow flows;
  }

  /**
   * What one sample gave.
   *
   * @param accepted false for a late or repeated sample (nothing changed)
   * @param newVm whether this was the VM's first sample
   * @param anomalous whether the anomaly detection flagged it
   * @param profile the profile, or null until the window holds {@code minSamples}
   * @param newDna a schema-2 DNA computed at this sample, or null
   */
  public record Outcome(
      boolean accepted, boolean newVm, boolean anomalous, VmProfile profile, DnaRecord newDna) {}

  private static final Outcome LATE = new Outcome(false, false, false, null, null);

  private final ProfilerConfig config;
  private final DnaCalculator shortDna = new DnaCalculator();
  private final DnaExtractor extractor = new DnaExtractor();
  private final DnaModel dnaModel;

  /** A profiler; loads the configured DNA model (a bad file fails here, naming it). */
  public VmProfiler(ProfilerConfig config) {
    this.config = config;
    this.dnaModel = loadDnaModel(config.dnaModel());
  }

  /** Profiles one sample of the VM whose state this is; see the class comment. */
  public Outcome profile(State st, VmSample s) {
    boolean newVm = st.history == null;
    if (newVm) {
      st.history = new VmHistory();
    }
    VmHistory h = st.history;
    if (s.timestampS() <= h.lastTimestampS()) {
      return LATE; // the history holds only strictly increasing times
    }
    h.append(s, config.historySamples());
    Anomaly verdict = anomaly(config, st, s);
    if (Math.min(h.size, config.windowSamples()) < config.minSamples()) {
      return new Outcome(true, newVm, verdict.alarm(), null, null);
    }
    DnaRecord newDna = null;
    VmDna d;
    if (dnaModel == null) {
      d = VmDna.raw(shortDna.compute(h.last(config.windowSamples())));
    } else if (st.dna != null
        && st.dna.computedAtS() / DNA_EVERY_S == s.timestampS() / DNA_EVERY_S) {
      d = st.dna;
    } else {
      DnaColumns columns = dnaColumns(st);
      Dna full = extractor.compute(columns, columns.size() - 1, st.history.derivedColumns());
      d = VmDna.encoded(dnaModel, full);
      st.dna = d;
      newDna =
          new DnaRecord(
              s.vmId(),
              s.hostId(),
              d.computedAtS(),
              d.schemaVersion(),
              d.embedding(),
              d.errorScore());
    }
    if (newDna != null && config.anomaly() != null) {
      verdict = withDnaDetectors(verdict, d);
    }
    Forecast f = null;
    ModelInput input = null;
    if (config.usesModel()) {
      // no trend forecast: BatchForecastOperator scores every row (it cost a tenth of a sample)
      float[] row = new float[ForecastFeatures.SIZE];
      // the history's own columns, read below its size only
      ForecastFeatures.fill(h.arrays(), h.size - 1, config.modelHorizonSamples(), row, 0);
      input =
          new ModelInput(
              row, s.cpuProvisionedMhz(), s.memProvisionedKb(), config.forecaster().horizonS());
    } else {
      f = trend(config.forecaster(), h, config.windowSamples());
    }
    VmProfile p =
        new VmProfile(
            s.vmId(),
            s.hostId(),
            s.timestampS(),
            d,
            verdict.score(),
            verdict.alarm(),
            verdict.detectors(),
            f,
            s.memUsageKb(),
            input);
    return new Outcome(true, newVm, verdict.alarm(), p, newDna);
  }

  /**
   * The trend rule over the newest {@code n} samples of the history, read from its columns (a list
   * of samples made for it was a tenth of the profile's time): the same forecast as {@code
   * rule.forecast(h.last(n))}.
   */
  static Forecast trend(TrendForecaster rule, VmHistory h, int n) {
    int from = Math.max(0, h.size - n);
    double[] net = new double[h.size - from];
    for (int i = from; i < h.size; i++) {
      net[i - from] = h.netRxKbps[i] + h.netTxKbps[i];
    }
    return rule.forecast(
        Arrays.copyOfRange(h.cpuUsageMhz, from, h.size),
        Arrays.copyOfRange(h.memUsageKb, from, h.size),
        net,
        h.cpuProvisionedMhz[h.size - 1]);
  }

  /**
   * What the schema-2 DNA is computed from: the kept samples and, when a flow collector feeds the
   * job, the VM's flow records of the last day (its traffic features; absent, NaN, without).
   */
  DnaColumns dnaColumns(State st) {
    // the history's own columns, not copied (the extractor reads its week of them only)
    return st.history.dnaColumns(
        st.flows == null || st.flows.size == 0 ? List.of() : st.flows.records(st.history.vmId));
  }

  /**
   * One sample's anomaly verdict.
   *
   * @param score in [0, 1]: the larger of the chart's and the ensemble's
   * @param alarm whether either flagged the sample
   * @param detectors what fired, {@code detector@feature}: the ensemble's reasons strongest first,
   *     then the chart
   */
  public record Anomaly(double score, boolean alarm, List<String> detectors) {}

  /**
   * Scores one sample of the VM whose state this is (updating it): the EWMA chart on CPU MHz, the
   * per-VM baseline that flags load above its band from the VM's first minutes, and, configured,
   * the calibrated ensemble, which flags anomalies after its two-day warm-up. With the ensemble the
   * chart still runs: dropping its flags loses most anomaly-backed moves in the what-if simulator
   * ({@link ProfilerConfig#anomalyNamed} has the figures), while the ensemble's alarms are rare
   * (about one per VM-week) and say what was unusual. Static so the simulator replays exactly this.
   */
  public static Anomaly anomaly(ProfilerConfig config, State st, VmSample s) {
    EwmaControlChart.Result r =
        config
            .chart()
            .update(st.chart == null ? EwmaControlChart.State.empty() : st.chart, s.cpuUsageMhz());
    st.chart = r.state();
    if (config.anomaly() == null) {
      return new Anomaly(
          r.score(), r.anomalous(), r.anomalous() ? List.of(CHART_DETECTOR) : List.of());
    }
    if (st.anomaly == null) {
      st.anomaly = new AnomalyEnsemble(config.anomaly(), ANOMALY_FEATURES);
    }
    AnomalyEnsemble.Verdict v = st.anomaly.update(s.timestampS(), anomalyValues(s));
    List<String> fired = new ArrayList<>(detectors(v));
    if (r.anomalous()) {
      fired.add(CHART_DETECTOR);
    }
    return new Anomaly(
        Math.max(r.score(), v.score()), r.anomalous() || v.alarm(), List.copyOf(fired));
  }

  /**
   * Adds a new DNA's own detectors to a sample's verdict (with the ensemble): the autoencoder's
   * reconstruction error and the one-class SVM on the embedding, each an alarm at {@link
   * DnaModel#ALARM_SCORE}.
   */
  static Anomaly withDnaDetectors(Anomaly v, VmDna d) {
    List<String> fired = new ArrayList<>(v.detectors());
    double score = v.score();
    if (d.errorScore() >= DnaModel.ALARM_SCORE) {
      fired.add(AUTOENCODER_DETECTOR);
      score = Math.max(score, d.errorScore());
    }
    if (d.oneClassScore() >= DnaModel.ALARM_SCORE) {
      fired.add(ONE_CLASS_DETECTOR);
      score = Math.max(score, d.oneClassScore());
    }
    return fired.size() == v.detectors().size() ? v : new Anomaly(score, true, List.copyOf(fired));
  }

  /**
   * A sample's values of {@link #ANOMALY_FEATURES}: CPU %, and memory % (NaN, absent, when the VM
   * reports no provisioned memory).
   */
  private static double[] anomalyValues(VmSample s) {
    double memPct =
        s.memProvisionedKb() > 0 ? 100.0 * s.memUsageKb() / s.memProvisionedKb() : Double.NaN;
    return new double[] {s.cpuUsagePct(), memPct};
  }

  /** An ensemble verdict's reasons as {@code detector@feature}, strongest first, each once. */
  private static List<String> detectors(AnomalyEnsemble.Verdict v) {
    if (v.reasons().isEmpty()) {
      return List.of();
    }
    LinkedHashSet<String> names = new LinkedHashSet<>();
    for (AnomalyEnsemble.Reason r : v.reasons()) {
      names.add(r.detector() + "@" + r.feature());
    }
    return List.copyOf(names);
  }

  /**
   * The DNA model a setting names ({@link ProfilerConfig#dnaModel()}): null for none, the shipped
   * one, or a file.
   *
   * @throws java.io.UncheckedIOException if the file cannot be read, naming it
   */
  public static DnaModel loadDnaModel(String setting) {
    if (ProfilerConfig.NONE.equals(setting)) {
      return null;
    }
    if (ProfilerConfig.SHIPPED.equals(setting)) {
      return DnaModel.shipped();
    }
    try {
      return DnaModel.load(Path.of(setting));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
