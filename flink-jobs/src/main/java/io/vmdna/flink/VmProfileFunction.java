package io.vmdna.flink;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.Dna;
import io.vmdna.models.dna.DnaCalculator;
import io.vmdna.models.dna.EwmaControlChart;
import io.vmdna.models.forecast.Forecast;
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
    List<VmSample> w = new ArrayList<>();
    window.get().forEach(w::add);
    w.add(s);
    if (w.size() > config.windowSamples()) {
      w = new ArrayList<>(w.subList(w.size() - config.windowSamples(), w.size()));
    }
    window.update(w);

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
    out.collect(
        new VmProfile(
            s.vmId(),
            s.hostId(),
            s.timestampS(),
            d,
            verdict.score(),
            verdict.anomalous(),
            f,
            s.memUsageKb()));
  }
}
