package io.vmdna.flink;

import io.vmdna.models.anomaly.AnomalyEnsemble;
import io.vmdna.models.dna.EwmaControlChart;
import io.vmdna.models.forecast.TrendForecaster;
import java.io.Serializable;
import java.util.Map;

/**
 * Settings of {@link DnaProfilerJob}. Times are in simulated (event) seconds.
 *
 * @param windowSamples samples in the rolling DNA window (12 = one hour of 5-minute samples)
 * @param minSamples samples a VM needs before it gets a forecast
 * @param chart the per-VM EWMA control chart on CPU MHz, which flags anomalies when {@code anomaly}
 *     is null
 * @param forecaster the per-VM forecaster
 * @param hostCapacityMhz CPU capacity of every host, MHz, by host id
 * @param overloadFraction host demand p90 above this fraction of capacity triggers a signal
 * @param minPExceed and the probability that demand exceeds that fraction is at least this, [0, 1]
 * @param anomalyFraction an anomalous VM on a host above this fraction triggers a signal
 * @param anomalyMinScore the anomaly score that counts for an anomaly signal
 * @param stepS the sample interval, seconds
 * @param staleAfterS a VM that has not reported on a host for this long no longer counts there
 * @param hostCooldownS after a signal, a host gives no signal of the same kind (overload or
 *     anomaly) for this long (its VM is moving)
 * @param vmCooldownS after a signal, a VM is not signalled again for this long
 * @param forecastModel {@link #TREND} (the damped-trend rule of {@code forecaster}), {@link
 *     #SHIPPED} (the XGBoost4J model in the jar) or a model folder written by {@code ./vmdna
 *     train}; a model forecasts at the horizon of {@code forecaster}
 * @param dnaModel {@link #SHIPPED} (the DNA model in the jar, default), a {@code dna-model.json}
 *     written by {@code ./vmdna dna-train}, or {@link #NONE} (signals carry the short schema-1 DNA)
 * @param anomaly the per-VM anomaly ensemble's settings ({@link #ENSEMBLE}: calibrated detectors on
 *     CPU % and memory % beside the chart, alarms after a two-day warm-up, 183 KB more state per
 *     VM), or null for the {@code chart} alone ({@link #CHART}, the default: see {@link
 *     #anomalyNamed})
 */
public record ProfilerConfig(
    int windowSamples,
    int minSamples,
    EwmaControlChart chart,
    TrendForecaster forecaster,
    Map<String, Double> hostCapacityMhz,
    double overloadFraction,
    double minPExceed,
    double anomalyFraction,
    double anomalyMinScore,
    long stepS,
    long staleAfterS,
    long hostCooldownS,
    long vmCooldownS,
    String forecastModel,
    String dnaModel,
    AnomalyEnsemble.Config anomaly)
    implements Serializable {

  /** {@code forecastModel} value for the damped-trend rule. */
  public static final String TREND = "trend";

  /** {@code forecastModel} value for the model shipped in the jar. */
  public static final String SHIPPED = io.vmdna.models.predict.ForecastModel.SHIPPED;

  /** {@code dnaModel} value for no DNA model. */
  public static final String NONE = "none";

  /**
   * History a VM keeps for the schema-2 DNA when no forecast model asks for more: its 24 h windows
   * (periodicity over a week then needs the forecast model's week).
   */
  public static final int DNA_HISTORY_SAMPLES = 288;

  /** History a VM keeps for the model's features: a week and two hours of 5-minute samples. */
  public static final int MODEL_HISTORY_SAMPLES = 7 * 288 + 24;

  /** Copies the capacities and validates. */
  public ProfilerConfig {
    hostCapacityMhz = Map.copyOf(hostCapacityMhz);
    if (windowSamples < 2 || minSamples < 2 || minSamples > windowSamples) {
      throw new IllegalArgumentException(
          "need 2 <= minSamples <= windowSamples, were %d and %d"
              .formatted(minSamples, windowSamples));
    }
    if (forecastModel == null || forecastModel.isBlank()) {
      throw new IllegalArgumentException("forecastModel must be 'trend', 'shipped' or a folder");
    }
    if (dnaModel == null || dnaModel.isBlank()) {
      throw new IllegalArgumentException(
          "dnaModel must be 'shipped', 'none' or a dna-model.json file");
    }
    if (!(minPExceed >= 0 && minPExceed <= 1)) {
      throw new IllegalArgumentException("minPExceed must be in [0, 1], was " + minPExceed);
    }
    if (stepS <= 0 || staleAfterS < stepS) {
      throw new IllegalArgumentException("need stepS > 0 and staleAfterS >= stepS");
    }
  }

  /**
   * Defaults for 5-minute samples; host capacities must be given. The cooldowns only de-duplicate
   * signals (half an hour per host, an hour per VM): whether a VM may move again after a real
   * migration is the workers' decision, since only they know a migration happened and the policy
   * may have declined a signal.
   */
  public static ProfilerConfig defaults(Map<String, Double> hostCapacityMhz) {
    return new ProfilerConfig(
        12,
        6,
        EwmaControlChart.defaults(),
        TrendForecaster.defaults(),
        hostCapacityMhz,
        0.8,
        0.5,
        0.7,
        0.8,
        300,
        900,
        1800,
        3600,
        TREND,
        SHIPPED,
        null);
  }

  /** Anomaly detection by the EWMA chart alone (the default). */
  public static final String CHART = "chart";

  /** Anomaly detection by the chart and the calibrated ensemble. */
  public static final String ENSEMBLE = "ensemble";

  /**
   * The anomaly settings a name stands for: {@link #CHART} (null: the EWMA chart on CPU alone) or
   * {@link #ENSEMBLE} ({@link AnomalyEnsemble.Config#streaming()} beside the chart).
   *
   * <p>The chart stays the default because of what it does to migrations: in the what-if simulator
   * (August, 100 VMs, 8 hosts) the chart alone gives 860,420 VM-minutes on overloaded hosts with
   * 324 migrations, the chart and the ensemble 941,900 with 303, the ensemble alone 963,230 with
   * 143. The chart's flags (load above the VM's own band) on a host the forecast already worries
   * about are what the policy acts on; the ensemble's rarer, calibrated alarms mostly come without
   * the forecast's agreement, are declined, and start the host's anomaly cooldown ahead of a chart
   * flag the policy would have taken. Turn the ensemble on to have anomaly signals say what was
   * unusual ({@code change-point@cpu_pct}).
   *
   * @throws IllegalArgumentException for any other name, quoting it
   */
  public static AnomalyEnsemble.Config anomalyNamed(String name) {
    return switch (name) {
      case CHART -> null;
      case ENSEMBLE -> AnomalyEnsemble.Config.streaming();
      default ->
          throw new IllegalArgumentException(
              "anomaly detection must be 'chart' or 'ensemble', was '" + name + "'");
    };
  }

  /** Whether forecasts come from an XGBoost4J model rather than the trend rule. */
  public boolean usesModel() {
    return !TREND.equals(forecastModel);
  }

  /** The model's horizon in samples: the trend forecaster's horizon. */
  public int modelHorizonSamples() {
    return (int) (forecaster.horizonS() / stepS);
  }

  /** A copy forecasting with another model ({@link #TREND}, {@link #SHIPPED} or a folder). */
  public ProfilerConfig withForecastModel(String model) {
    return withModels(model, dnaModel, anomaly);
  }

  /** Whether signals carry the schema-2 DNA's embedding from a DNA model. */
  public boolean usesDnaModel() {
    return !NONE.equals(dnaModel);
  }

  /** Samples of history a VM keeps: what the forecast model and the DNA need. */
  public int historySamples() {
    int keep = usesModel() ? MODEL_HISTORY_SAMPLES : windowSamples;
    return usesDnaModel() ? Math.max(keep, DNA_HISTORY_SAMPLES) : keep;
  }

  /**
   * A copy with another DNA model ({@link #SHIPPED}, {@link #NONE} or a {@code dna-model.json}).
   */
  public ProfilerConfig withDnaModel(String model) {
    return withModels(forecastModel, model, anomaly);
  }

  /**
   * A copy with other anomaly settings: an ensemble's, or null for the EWMA chart alone (no warm-up
   * beyond the chart's, a few hundred bytes per VM).
   */
  public ProfilerConfig withAnomaly(AnomalyEnsemble.Config settings) {
    return withModels(forecastModel, dnaModel, settings);
  }

  private ProfilerConfig withModels(String forecast, String dna, AnomalyEnsemble.Config a) {
    return new ProfilerConfig(
        windowSamples,
        minSamples,
        chart,
        forecaster,
        hostCapacityMhz,
        overloadFraction,
        minPExceed,
        anomalyFraction,
        anomalyMinScore,
        stepS,
        staleAfterS,
        hostCooldownS,
        vmCooldownS,
        forecast,
        dna,
        a);
  }
}
