package io.vmdna.flink;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.Dna;
import io.vmdna.models.dna.DnaCalculator;
import io.vmdna.models.dna.EwmaControlChart;
import io.vmdna.models.forecast.Forecast;
import io.vmdna.models.predict.ForecastFeatures;
import io.vmdna.models.predict.SeriesArrays;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by VM: keeps the rolling window, computes the DNA, updates the VM's baseline (EWMA control
 * chart on CPU MHz) and forecasts; emits a {@link VmProfile} per sample once the window holds
 * {@code minSamples}. Calls only {@code models}: the logic lives there.
 */
final class VmProfileFunction extends KeyedProcessFunction<String, VmSample, VmProfile> {
  private static final long serialVersionUID = 1L;

  /** Accumulator names, read by the demo's summary. */
  static final String SAMPLES = "samples";

  static final String ANOMALIES = "anomalies";
  static final String VMS = "vms";

  private final ProfilerConfig config;
  private transient ListState<VmSample> window;
  private transient ValueState<EwmaControlChart.State> chart;
  private transient DnaCalculator dna;
  private transient LongCounter samples;
  private transient LongCounter anomalies;
  private transient LongCounter vms;

  VmProfileFunction(ProfilerConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext ctx) {
    window =
        getRuntimeContext()
            .getListState(new ListStateDescriptor<>("window", TypeInformation.of(VmSample.class)));
    chart =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "chart", TypeInformation.of(EwmaControlChart.State.class)));
    dna = new DnaCalculator();
    samples = getRuntimeContext().getLongCounter(SAMPLES);
    anomalies = getRuntimeContext().getLongCounter(ANOMALIES);
    vms = getRuntimeContext().getLongCounter(VMS);
  }

  @Override
  public void processElement(VmSample s, Context ctx, Collector<VmProfile> out) throws Exception {
    samples.add(1);
    // With a model the window is the model's history (a week); the DNA reads its last hour.
    int keep = config.usesModel() ? ProfilerConfig.MODEL_HISTORY_SAMPLES : config.windowSamples();
    List<VmSample> history = new ArrayList<>();
    window.get().forEach(history::add);
    if (!history.isEmpty() && history.getLast().timestampS() >= s.timestampS()) {
      return; // a late or repeated sample: the history holds only strictly increasing times
    }
    history.add(s);
    if (history.size() > keep) {
      history = new ArrayList<>(history.subList(history.size() - keep, history.size()));
    }
    window.update(history);
    List<VmSample> w =
        history.subList(Math.max(0, history.size() - config.windowSamples()), history.size());

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
    Dna d = dna.compute(w);
    Forecast f = config.forecaster().forecast(w);
    ModelInput input = null;
    if (config.usesModel()) {
      // the trend forecast stays as a fallback until BatchForecastOperator replaces it
      SeriesArrays series = SeriesArrays.of(history);
      float[] row = new float[ForecastFeatures.SIZE];
      ForecastFeatures.fill(series, series.size() - 1, config.modelHorizonSamples(), row, 0);
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
}
