package io.vmdna.models.predict;

import java.util.List;
import java.util.Map;

/**
 * What a trained forecast model is: {@code manifest.json} beside the booster files. It names the
 * features and their order, the feature schema version, the data it was trained and tuned on (with
 * digests), the parameters, every booster file with its digest, and the validation figures. A model
 * whose schema or feature list differs from this build's {@link ForecastFeatures} is refused on
 * load.
 *
 * @param name the model's name
 * @param schemaVersion {@link ForecastFeatures#SCHEMA_VERSION} it was trained with
 * @param features feature names, in vector order
 * @param sampleIntervalS the sample interval it assumes, seconds
 * @param library the library and version that trained it
 * @param params booster parameters shared by all boosters
 * @param maxRounds boosting rounds at most
 * @param earlyStoppingRounds rounds without improvement on the tuning data before stopping
 * @param training data it was trained on
 * @param tuning data it was tuned on (early stopping, calibration, warning rule)
 * @param tuningFraction the leading share of each tuning series used; the rest is for reports
 * @param boosters every booster
 * @param peers the peer library file ({@link PeerLibrary#FILE}) and its digest
 * @param validation figures on the tuning data, beside the baselines
 */
public record ModelManifest(
    String name,
    int schemaVersion,
    List<String> features,
    long sampleIntervalS,
    String library,
    Map<String, String> params,
    int maxRounds,
    int earlyStoppingRounds,
    DataSet training,
    DataSet tuning,
    double tuningFraction,
    List<BoosterEntry> boosters,
    FileRef peers,
    List<ValidationFigures> validation) {

  /**
   * A file of the model folder.
   *
   * @param file its name
   * @param sha256 its digest
   */
  public record FileRef(String file, String sha256) {}

  /** The manifest's file name in a model folder. */
  public static final String FILE = "manifest.json";

  /**
   * Data a model saw.
   *
   * @param dirs folders as given
   * @param files trace files read
   * @param rows feature rows built
   * @param sha256 digest of the files' bytes, in file-name order
   */
  public record DataSet(List<String> dirs, int files, long rows, String sha256) {}

  /** Kinds of booster. */
  public enum Kind {
    /** Quantile regression: one output per quantile. */
    QUANTILE,
    /** Probability that CPU % exceeds a threshold at the target time: {@code pExceed}. */
    EXCEED,
    /**
     * Probability that CPU % exceeds a threshold at some sample within the horizon: drives the
     * warning rule (a warning is worth giving when the overload comes at any time before the
     * target, not only at it).
     */
    WITHIN
  }

  /**
   * One booster file.
   *
   * @param file file name in the model folder (UBJSON)
   * @param sha256 digest of the file
   * @param target what it forecasts
   * @param horizon samples ahead
   * @param kind quantile or exceedance
   * @param quantiles the quantiles of its outputs (QUANTILE), else empty
   * @param thresholdPct the CPU % threshold (EXCEED, WITHIN), else NaN
   * @param bestIteration the last round used when scoring (early stopping)
   * @param calibration raw to calibrated probability (EXCEED, WITHIN), else null
   * @param warnAt calibrated probability at or above which the model warns (WITHIN), else NaN
   */
  public record BoosterEntry(
      String file,
      String sha256,
      Target target,
      int horizon,
      Kind kind,
      List<Double> quantiles,
      double thresholdPct,
      int bestIteration,
      IsotonicCalibration calibration,
      double warnAt) {}

  /**
   * Figures on the tuning data for one target and horizon, beside the baselines.
   *
   * @param target what was forecast
   * @param horizon samples ahead
   * @param rows forecasts scored
   * @param maeModel MAE of the p50 forecast, in the target's unit
   * @param maePersistence MAE of the last value
   * @param maeSeasonalNaive MAE of the same time yesterday
   * @param p90Coverage share of actuals at or under the p90 forecast
   * @param warning for CPU: the tuned warning rule beside seasonal-naive's; else null
   * @param reliability for CPU: the reliability table of the calibrated pExceed; else empty
   */
  public record ValidationFigures(
      Target target,
      int horizon,
      long rows,
      double maeModel,
      double maePersistence,
      double maeSeasonalNaive,
      double p90Coverage,
      WarningFigures warning,
      List<ReliabilityBin> reliability) {}

  /**
   * How the tuned warning rule does against seasonal-naive on the tuning data.
   *
   * @param thresholdPct CPU % threshold
   * @param warnAt chosen cut-off on the calibrated WITHIN probability
   * @param onsets onsets in the tuning data
   * @param caughtShare model's caught share
   * @param falseWarningsPerVmDay model's false warnings per VM-day
   * @param seasonalNaiveCaughtShare seasonal-naive's caught share
   * @param seasonalNaiveFalseWarningsPerVmDay seasonal-naive's false warnings per VM-day (budget)
   */
  public record WarningFigures(
      double thresholdPct,
      double warnAt,
      long onsets,
      double caughtShare,
      double falseWarningsPerVmDay,
      double seasonalNaiveCaughtShare,
      double seasonalNaiveFalseWarningsPerVmDay) {}

  /**
   * One bin of a reliability table.
   *
   * @param from lower edge of predicted probability (inclusive)
   * @param to upper edge (exclusive; 1 inclusive for the last bin)
   * @param count forecasts in the bin
   * @param meanPredicted mean predicted probability
   * @param observed share of forecasts whose event happened
   */
  public record ReliabilityBin(
      double from, double to, long count, double meanPredicted, double observed) {}
}
