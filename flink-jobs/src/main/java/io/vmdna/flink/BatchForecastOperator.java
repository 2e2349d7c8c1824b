package io.vmdna.flink;

import io.vmdna.models.forecast.Forecast;
import io.vmdna.models.predict.ForecastFeatures;
import io.vmdna.models.predict.ForecastModel;
import io.vmdna.models.predict.Target;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Scores the XGBoost4J forecast model in batches: buffers the profiles that carry a feature row and
 * scores them all at once (one call per booster) when the buffer is full, before a watermark is
 * forwarded, before a checkpoint barrier, and at the end of input; then emits each profile, with
 * its own timestamp, carrying the model's forecast. Profiles without a feature row pass through.
 *
 * <p>The model is loaded once per subtask in {@link #open()} with one scoring thread (XGBoost
 * serialises predictions on a booster). Flushing before watermarks keeps event time exact for the
 * keyed timers downstream; flushing before the barrier means no buffered profile is ever part of a
 * checkpoint, so the operator needs no state and a restore loses nothing.
 */
public final class BatchForecastOperator extends AbstractStreamOperator<VmProfile>
    implements OneInputStreamOperator<VmProfile, VmProfile> {
  private static final long serialVersionUID = 1L;

  /** Accumulator: batches scored. */
  static final String BATCHES = "forecastBatches";

  /** Accumulator: forecasts made by the model. */
  static final String FORECASTS = "modelForecasts";

  private final String model;
  private final int horizon;
  private final double thresholdPct;
  private final int maxBatch;
  private transient ForecastModel forecaster;
  private transient List<StreamRecord<VmProfile>> buffer;
  private transient LongCounter batches;
  private transient LongCounter forecasts;

  /**
   * @param model {@link ProfilerConfig#SHIPPED} or a model folder
   * @param horizon samples ahead
   * @param thresholdPct the CPU % threshold of pExceed
   * @param maxBatch rows scored at most per call
   */
  BatchForecastOperator(String model, int horizon, double thresholdPct, int maxBatch) {
    this.model = model;
    this.horizon = horizon;
    this.thresholdPct = thresholdPct;
    this.maxBatch = maxBatch;
  }

  @Override
  public void open() throws Exception {
    super.open();
    forecaster = ForecastModel.open(model, 1);
    forecaster.requireSupports(horizon, thresholdPct);
    buffer = new ArrayList<>(maxBatch);
    batches = getRuntimeContext().getLongCounter(BATCHES);
    forecasts = getRuntimeContext().getLongCounter(FORECASTS);
  }

  @Override
  public void processElement(StreamRecord<VmProfile> element) {
    if (element.getValue().modelInput() == null) {
      output.collect(element);
      return;
    }
    buffer.add(element);
    if (buffer.size() >= maxBatch) {
      flush();
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    flush();
    super.processWatermark(mark);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flush();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  @Override
  public void close() throws Exception {
    if (forecaster != null) {
      forecaster.close();
    }
    super.close();
  }

  private void flush() {
    int n = buffer.size();
    if (n == 0) {
      return;
    }
    List<VmProfile> profiles = new ArrayList<>(n);
    buffer.forEach(r -> profiles.add(r.getValue()));
    List<VmProfile> scored = score(forecaster, horizon, thresholdPct, profiles);
    for (int i = 0; i < n; i++) {
      output.collect(buffer.get(i).replace(scored.get(i)));
    }
    buffer.clear();
    batches.add(1);
    forecasts.add(n);
  }

  /**
   * Scores profiles in one batch (one call per booster): each comes back with the model's forecast
   * in place of the trend rule's, without its feature row. The operator's and {@code ./vmdna
   * bench-profiler}'s plain loop's scoring. Not thread-safe per model (XGBoost serialises
   * predictions on a booster).
   *
   * @param profiles profiles that carry a {@link ModelInput}
   */
  public static List<VmProfile> score(
      ForecastModel model, int horizon, double thresholdPct, List<VmProfile> profiles) {
    int n = profiles.size();
    float[] x = new float[n * ForecastFeatures.SIZE];
    for (int i = 0; i < n; i++) {
      float[] row = profiles.get(i).modelInput().features();
      System.arraycopy(row, 0, x, i * ForecastFeatures.SIZE, ForecastFeatures.SIZE);
    }
    model.prepare(x, n);
    ForecastModel.AtTarget cpu = model.scoreCpuAtTarget(x, n, horizon, thresholdPct);
    double[][] mem = model.quantiles(Target.MEM_PCT, horizon, x, n);
    double[][] net = model.quantiles(Target.NET_KBPS, horizon, x, n);
    List<VmProfile> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      VmProfile p = profiles.get(i);
      ModelInput in = p.modelInput();
      out.add(
          p.withForecast(
              Forecast.ofPercent(
                  in.horizonS(),
                  cpu.p50()[i],
                  cpu.p90()[i],
                  cpu.pExceed()[i],
                  thresholdPct,
                  in.cpuProvisionedMhz(),
                  mem[1][i],
                  in.memProvisionedKb(),
                  net[1][i])));
    }
    return out;
  }
}
