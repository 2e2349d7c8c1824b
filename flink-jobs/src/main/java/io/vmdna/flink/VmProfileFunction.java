package io.vmdna.flink;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.Dna;
import io.vmdna.models.dna.DnaCalculator;
import io.vmdna.models.dna.DnaExtractor;
import io.vmdna.models.dna.DnaModel;
import io.vmdna.models.dna.EwmaControlChart;
import io.vmdna.models.forecast.Forecast;
import io.vmdna.models.predict.ForecastFeatures;
import io.vmdna.models.predict.SeriesArrays;
import io.vmdna.store.DnaRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by VM: keeps the rolling history, computes the DNA, updates the VM's baseline (EWMA control
 * chart on CPU MHz) and forecasts; emits a {@link VmProfile} per sample once the window holds
 * {@code minSamples}. Calls only {@code models}: the logic lives there.
 *
 * <p>DNA cadence: with a DNA model (the default) the schema-2 DNA of the whole history (24 h
 * windows; a week with a forecast model) and its embedding are computed on a VM's first profile and
 * again whenever its samples cross into a new 3-hour period ({@link #DNA_EVERY_S}, the stride the
 * DNA model was trained at), kept in state and carried by every profile until then; without one,
 * the short schema-1 DNA of the last hour on every sample. The history is a {@link VmHistory}
 * (columns appended in place), so a sample costs the same however long the history is.
 */
final class VmProfileFunction extends KeyedProcessFunction<String, VmSample, VmProfile> {
  private static final long serialVersionUID = 1L;

  /** Accumulator names, read by the demo's summary. */
  static final String SAMPLES = "samples";

  static final String ANOMALIES = "anomalies";
  static final String VMS = "vms";

  /**
   * How often a VM's schema-2 DNA is recomputed, seconds: once per 3-hour period of the epoch (the
   * DNA model's training stride; hourly cost a quarter of the profiler's throughput, see the
   * README).
   */
  static final long DNA_EVERY_S = 3 * 3600;

  /** Side output: every schema-2 DNA as it is computed, for the DNA history in the store. */
  static final OutputTag<DnaRecord> DNA_HISTORY = new OutputTag<>("dna-history") {};

  private final ProfilerConfig config;
  private transient ValueState<VmHistory> history;
  private transient ValueState<EwmaControlChart.State> chart;
  private transient ValueState<VmDna> lastDna;
  private transient DnaCalculator dna;
  private transient DnaExtractor extractor;
  private transient DnaModel dnaModel;
  private transient LongCounter samples;
  private transient LongCounter anomalies;
  private transient LongCounter vms;

  VmProfileFunction(ProfilerConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext ctx) {
    history =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("history", TypeInformation.of(VmHistory.class)));
    chart =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "chart", TypeInformation.of(EwmaControlChart.State.class)));
    lastDna =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("dna", TypeInformation.of(VmDna.class)));
    dna = new DnaCalculator();
    extractor = new DnaExtractor();
    dnaModel = loadDnaModel(config.dnaModel());
    samples = getRuntimeContext().getLongCounter(SAMPLES);
    anomalies = getRuntimeContext().getLongCounter(ANOMALIES);
    vms = getRuntimeContext().getLongCounter(VMS);
  }

  @Override
  public void processElement(VmSample s, Context ctx, Collector<VmProfile> out) throws Exception {
    samples.add(1);
    // the history serves the forecast model (a week) and the DNA (a day); the window is its last
    // hour
    VmHistory h = history.value();
    if (h == null) {
      h = new VmHistory();
    }
    if (s.timestampS() <= h.lastTimestampS()) {
      return; // a late or repeated sample: the history holds only strictly increasing times
    }
    h.append(s, config.historySamples());
    history.update(h);
    List<VmSample> w = h.last(config.windowSamples());

    EwmaControlChart.State state = chart.value();
    if (state == null) {
      vms.add(1);
      state = EwmaControlChart.State.empty();
    }
    EwmaControlChart.Result verdict = config.chart().update(state, s.cpuUsageMhz());
    chart.update(verdict.state());
    if (verdict.anomalous()) {
      anomalies.add(1);
    }
    if (w.size() < config.minSamples()) {
      return;
    }
    VmDna d = dnaOf(s, h, w, ctx);
    Forecast f = config.forecaster().forecast(w);
    ModelInput input = null;
    if (config.usesModel()) {
      // the trend forecast stays as a fallback until BatchForecastOperator replaces it
      SeriesArrays series = h.arrays(); // the history's own columns: read below h.size only
      float[] row = new float[ForecastFeatures.SIZE];
      ForecastFeatures.fill(series, h.size - 1, config.modelHorizonSamples(), row, 0);
      input = new ModelInput(row, s.cpuProvisionedMhz(), s.memProvisionedKb());
    }
    out.collect(
        new VmProfile(
            s.vmId(),
            s.hostId(),
            s.timestampS(),
            d,
            verdict.score(),
            verdict.anomalous(),
            f,
            s.memUsageKb(),
            input));
  }

  /** The VM's DNA for this sample: see the class comment for the cadence. */
  private VmDna dnaOf(VmSample s, VmHistory history, List<VmSample> window, Context ctx)
      throws IOException {
    if (dnaModel == null) {
      return VmDna.raw(dna.compute(window));
    }
    VmDna last = lastDna.value();
    if (last != null && last.computedAtS() / DNA_EVERY_S == s.timestampS() / DNA_EVERY_S) {
      return last;
    }
    Dna full = extractor.compute(history.dnaSeries(config.historySamples()));
    VmDna next = VmDna.encoded(dnaModel, full);
    lastDna.update(next);
    ctx.output(
        DNA_HISTORY,
        new DnaRecord(
            s.vmId(),
            s.hostId(),
            next.computedAtS(),
            next.schemaVersion(),
            next.embedding(),
            next.errorScore()));
    return next;
  }

  /** The DNA model a subtask uses, loaded once in {@link #open}; null for none. */
  static DnaModel loadDnaModel(String setting) {
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
