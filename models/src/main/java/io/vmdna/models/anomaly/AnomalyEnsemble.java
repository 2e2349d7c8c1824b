package io.vmdna.models.anomaly;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Scores a VM's metrics causally with an ensemble of detectors, each run on each feature (metric
 * series) against the series' own past:
 *
 * <ul>
 *   <li>{@code spike}: how far the sample leaves the range of the last day;
 *   <li>{@code peak}: how far the sample before stood above both neighbours, a one-sample burst,
 *       when that covers nearly the whole range of the day (a burst to 100 % on a VM that reaches
 *       100 % daily, which the spike detector cannot see);
 *   <li>{@code change-point}: how far the last hour's mean leaves the 5 %..95 % range of the day
 *       before it;
 *   <li>{@code ewma}: an EWMA control chart (λ 0.2) against the day's median;
 *   <li>{@code cusum}: a two-sided CUSUM of standardised samples (slow drifts);
 *   <li>{@code daily-pattern}: the last hour against the same time on up to seven earlier days;
 *   <li>{@code level}: the last six hours against the same hours on up to seven earlier days, in
 *       that residual's spread over the past week (slow drifts); its calibration sees each
 *       statistic only a day later, so a drift is weighed against the days before it began;
 *   <li>{@code one-class-svm}: a one-class SVM (Tribuo LibSVM) on the last hour's window vector
 *       (level, spread, extremes, slope, distance from earlier days), trained on the series' own
 *       past hours once the warm-up is over and refitted daily.
 * </ul>
 *
 * <p><b>Calibration.</b> A detector's statistic becomes a p-value against the same statistic's own
 * recent past on this series ({@link TailCalibration}: a week of it, an exponential tail beyond its
 * 98th percentile), so a volatile VM and a calm one alarm equally rarely; a statistic below an
 * absolute guard ({@link #MIN_DEVIATIONS} robust standard deviations; for the SVM, inside its
 * support) has p-value 1, so a tiny wobble on a flat series is never news. A statistic with p below
 * {@link #KEEP_OUT_P} is kept out of that past, so anomalies do not teach the calibration that
 * anomalies are normal. A detector's score is {@code min(1, −log10(p · m) / d)}, {@code m} the
 * number of (detector, feature) pairs (Bonferroni), {@code d} the detector's decades ({@link
 * #SCORE_DECADES}: 12 for most, so 0.5 is one chance in a million).
 *
 * <p><b>Ensemble.</b> The score is the largest score of the seven statistical detectors. The SVM is
 * a corroborating voice, not a voter: on the Bitbrains August series, letting it raise the score
 * too more than doubles the false alarms (0.67 → 1.59 episodes per VM-week at 0.9; its alarms come
 * at other times than the others') for more caught drifts (0.07 → 0.24) and a point or two
 * elsewhere, so it is scored, reported and named in an alarm's reasons when it agrees, but does not
 * raise the score. An alarm is a score at or above the threshold, which {@code ./vmdna detect-eval}
 * calibrates on traces ({@link #DEFAULT_THRESHOLD}); it names every detector and feature whose own
 * score reached the threshold.
 *
 * <p>Rows before {@link Config#warmUpRows()} score 0 (a day of baseline, then a day of the
 * statistics' own history). Each {@link #update} sees only the samples given before it. Not
 * thread-safe: one instance per VM.
 */
public final class AnomalyEnsemble {

  /** Detector names, as alarms report them. */
  public static final List<String> DETECTORS = List.of(SeriesTrack.NAMES);

  /**
   * The default alarm threshold, as {@code ./vmdna detect-eval} calibrates it on the July CPU
   * series of the Bitbrains sample: the smallest score with at most one false alarm episode per
   * VM-week there, else the strictest. July has 0.96 at 0.9 (1.02 at 0.8); August, never used to
   * choose it, has 0.66 (see the README for the whole curve).
   */
  public static final double DEFAULT_THRESHOLD = 0.9;

  /** The smallest statistic, in robust standard deviations, that may count as unusual at all. */
  static final double MIN_DEVIATIONS = 3;

  /**
   * Per detector ({@link #DETECTORS} order), the decades of Bonferroni-corrected p-value that make
   * a score of 1: a detector's score is {@code min(1, −log10(p · m) / decades)}; 12 (one in a
   * trillion) unless said otherwise. The spike's statistic is heavy-tailed on real series (a
   * natural burst out of a calm week looks far rarer than its fitted tail says), so it needs 24 for
   * its share of the false alarms, and the peak 16; the slow detectors (CUSUM, level) are
   * light-tailed and alarm at 7. Chosen on July of the Bitbrains sample, never August: with 12 for
   * all, adding the level detector took July to 1.20 false alarms per VM-week; these keep July at
   * 0.91 and let the level and CUSUM catch drifts, while the fast detectors (change point, EWMA,
   * daily pattern) keep 12 and score a step as before.
   */
  static final double[] SCORE_DECADES = {24, 16, 12, 12, 7, 12, 7, 12};

  /**
   * A statistic this unlikely (before the Bonferroni factor) is kept out of its detector's past, so
   * that anomalies do not teach the calibration that anomalies are normal (fixed, not the alarm
   * threshold, so that scores do not depend on the threshold).
   */
  static final double KEEP_OUT_P = 1e-5;

  /**
   * The version of {@link #write}'s layout. 2 added the peak detector's calibration; 3 the level
   * detector's residuals and calibration. {@link #read} still reads 1 and 2 (state written before),
   * the missing detectors then starting empty.
   */
  private static final int FORMAT = 3;

  /** The layout before the level detector. */
  private static final int FORMAT_WITHOUT_LEVEL = 2;

  /** The oldest layout {@link #read} reads, before the peak detector. */
  private static final int FORMAT_WITHOUT_PEAK = 1;

  /**
   * Settings.
   *
   * @param warmUp samples before any detector runs (one day of 5-minute samples by default)
   * @param baseline samples in the robust baseline window (the day before)
   * @param recent samples in the "last hour" of the change-point, daily-pattern and SVM detectors
   * @param cusumK CUSUM slack, in robust standard deviations per sample
   * @param minScale floor of every robust scale, in the metric's unit (a flat series would
   *     otherwise alarm on any wobble)
   * @param calibrationWindow past statistics each detector is calibrated on (a week)
   * @param calibrationMin statistics a detector needs before it can alarm (a day)
   * @param svmStride the SVM keeps one training vector every this many samples
   * @param svmHistory samples of history the SVM trains on
   * @param svmRefitEvery samples between SVM refits
   * @param svmNu the SVM's ν: the share of training vectors allowed outside its support
   * @param threshold ensemble score of an alarm, (0, 1]
   * @param oneClassSvm whether to run the per-series one-class SVM (it reports but does not vote;
   *     an ensemble without it can be {@link #write written}, which a streaming job's state needs)
   */
  public record Config(
      int warmUp,
      int baseline,
      int recent,
      double cusumK,
      double minScale,
      int calibrationWindow,
      int calibrationMin,
      int svmStride,
      int svmHistory,
      int svmRefitEvery,
      double svmNu,
      double threshold,
      boolean oneClassSvm)
      implements Serializable {

    /** Validates, naming the bad value. */
    public Config {
      if (warmUp < baseline || baseline < 2 * recent || recent < 2) {
        throw new IllegalArgumentException(
            "need warmUp >= baseline >= 2 * recent >= 4, were %d, %d, %d"
                .formatted(warmUp, baseline, recent));
      }
      if (calibrationWindow < calibrationMin || calibrationMin < 2) {
        throw new IllegalArgumentException(
            "need calibrationWindow >= calibrationMin >= 2, were %d, %d"
                .formatted(calibrationWindow, calibrationMin));
      }
      if (svmStride < 1 || svmHistory < 10 * svmStride || svmRefitEvery < 1) {
        throw new IllegalArgumentException(
            "need svmStride >= 1, svmHistory >= 10 * svmStride, svmRefitEvery >= 1, were %d, %d, %d"
                .formatted(svmStride, svmHistory, svmRefitEvery));
      }
      if (!(svmNu > 0 && svmNu < 1)) {
        throw new IllegalArgumentException("need svmNu in (0, 1), was " + svmNu);
      }
      if (!(threshold > 0 && threshold <= 1) || !(cusumK >= 0) || !(minScale > 0)) {
        throw new IllegalArgumentException(
            "need threshold in (0, 1], cusumK >= 0, minScale > 0, were %s, %s, %s"
                .formatted(threshold, cusumK, minScale));
      }
    }

    /** Defaults for 5-minute samples of a percentage, with the per-series SVM. */
    public static Config defaults() {
      return new Config(
          288, 288, 12, 0.5, 2.0, 2016, 288, 6, 2016, 288, 0.05, DEFAULT_THRESHOLD, true);
    }

    /**
     * The defaults without the per-series SVM, for a streaming job: its state can be written, and
     * the seven voting detectors score exactly as with the defaults (the SVM never raises the
     * score), for a third less work per sample and no model refit per VM per day.
     */
    public static Config streaming() {
      return defaults().withOneClassSvm(false);
    }

    /** A copy with another threshold. */
    public Config withThreshold(double t) {
      return with(t, oneClassSvm);
    }

    /** A copy with or without the per-series SVM. */
    public Config withOneClassSvm(boolean on) {
      return with(threshold, on);
    }

    private Config with(double t, boolean svm) {
      return new Config(
          warmUp,
          baseline,
          recent,
          cusumK,
          minScale,
          calibrationWindow,
          calibrationMin,
          svmStride,
          svmHistory,
          svmRefitEvery,
          svmNu,
          t,
          svm);
    }

    /** Rows that always score 0: the warm-up, then the statistics' own first history. */
    public int warmUpRows() {
      return warmUp + calibrationMin;
    }
  }

  /**
   * Why an alarm was raised: one detector on one feature.
   *
   * @param detector one of {@link #DETECTORS}
   * @param feature the feature's name
   * @param score that detector's own score on that feature, [0, 1]
   */
  public record Reason(String detector, String feature, double score) {
    @Override
    public String toString() {
      return "%s@%s=%.2f".formatted(detector, feature, score);
    }
  }

  /**
   * One row's verdict.
   *
   * @param score ensemble score in [0, 1]
   * @param alarm whether the score reached the threshold
   * @param reasons on an alarm, the detectors and features whose own score reached the threshold,
   *     highest first; empty otherwise
   * @param scores each detector's best score over the features, in {@link #DETECTORS} order
   */
  public record Verdict(double score, boolean alarm, List<Reason> reasons, double[] scores) {}

  private final Config config;
  private final List<String> features;
  private final SeriesTrack[] tracks;
  private final TailCalibration[][] calibrations;
  private final int pairs;

  /**
   * An ensemble for one VM.
   *
   * @param config settings
   * @param features the names of the values each {@link #update} gives, in that order (non-empty)
   */
  public AnomalyEnsemble(Config config, List<String> features) {
    if (features.isEmpty()) {
      throw new IllegalArgumentException("an ensemble needs at least one feature");
    }
    this.config = config;
    this.features = List.copyOf(features);
    this.tracks = new SeriesTrack[features.size()];
    this.calibrations = new TailCalibration[features.size()][DETECTORS.size()];
    for (int f = 0; f < tracks.length; f++) {
      tracks[f] = new SeriesTrack(config);
      for (int j = 0; j < DETECTORS.size(); j++) {
        if (j == SeriesTrack.ONE_CLASS_SVM && !config.oneClassSvm()) {
          continue; // no SVM, no statistics to calibrate
        }
        calibrations[f][j] =
            new TailCalibration(
                config.calibrationWindow(),
                config.calibrationMin(),
                sigmaFloor(j),
                j == SeriesTrack.LEVEL ? config.baseline() : 0);
      }
    }
    this.pairs = features.size() * DETECTORS.size();
  }

  /** The settings. */
  public Config config() {
    return config;
  }

  /** The feature names, in the order {@link #update} takes their values. */
  public List<String> features() {
    return features;
  }

  /**
   * Adds the next sample of every feature and scores it from the samples before it.
   *
   * @param timestampS the sample's time, epoch seconds (same-time lookups use it; order is the
   *     caller's)
   * @param values one value per feature, in the constructor's order: finite, or NaN for a feature
   *     this sample does not have (that feature is neither updated nor scored)
   * @throws IllegalArgumentException for a wrong number of values or an infinite one
   */
  public Verdict update(long timestampS, double... values) {
    if (values.length != tracks.length) {
      throw new IllegalArgumentException(
          "expected %d values (%s), got %d".formatted(tracks.length, features, values.length));
    }
    for (int f = 0; f < values.length; f++) {
      if (Double.isInfinite(values[f])) {
        throw new IllegalArgumentException(
            "value of %s must be finite or NaN (absent), was %s"
                .formatted(features.get(f), values[f]));
      }
    }
    double[] best = new double[DETECTORS.size()];
    double[][] own = new double[tracks.length][];
    for (int f = 0; f < tracks.length; f++) {
      if (Double.isNaN(values[f])) {
        continue; // absent at this sample: not interpolated, not scored
      }
      double[] stat = tracks[f].update(timestampS, values[f]);
      if (stat == null) {
        continue;
      }
      own[f] = new double[stat.length];
      for (int j = 0; j < stat.length; j++) {
        double s = stat[j];
        if (Double.isNaN(s)) {
          continue;
        }
        TailCalibration cal = calibrations[f][j];
        double p = large(j, s) ? cal.pValue(s) : 1;
        if (p >= KEEP_OUT_P) {
          cal.add(s);
        }
        own[f][j] = score(Math.min(1, p * pairs), j);
        best[j] = Math.max(best[j], own[f][j]);
      }
    }
    double score = 0;
    for (int j = 0; j < best.length; j++) {
      if (j != SeriesTrack.ONE_CLASS_SVM) {
        score = Math.max(score, best[j]);
      }
    }
    boolean alarm = score >= config.threshold();
    List<Reason> reasons = new ArrayList<>(2);
    if (alarm) {
      for (int f = 0; f < tracks.length; f++) {
        for (int j = 0; own[f] != null && j < own[f].length; j++) {
          if (own[f][j] >= config.threshold()) {
            reasons.add(new Reason(DETECTORS.get(j), features.get(f), own[f][j]));
          }
        }
      }
      reasons.sort(Comparator.comparingDouble(Reason::score).reversed());
    }
    return new Verdict(score, alarm, List.copyOf(reasons), best);
  }

  /**
   * Writes the ensemble (settings, features and every detector's state) so that {@link #read} gives
   * one that scores the following samples exactly as this one would. About 12 bytes per kept sample
   * and 4 per window slot: some 80 KB per feature once a week of statistics is kept (the figure
   * {@code VmProfileFunctionStateTest} reports per VM).
   *
   * @throws UnsupportedOperationException if the settings run the per-series SVM ({@link
   *     Config#streaming()} does not)
   */
  public void write(DataOutput out) throws IOException {
    if (config.oneClassSvm()) {
      throw new UnsupportedOperationException(
          "an ensemble with the per-series one-class SVM cannot be written; use a Config without"
              + " it (Config.streaming())");
    }
    out.writeInt(FORMAT);
    out.writeInt(config.warmUp());
    out.writeInt(config.baseline());
    out.writeInt(config.recent());
    out.writeDouble(config.cusumK());
    out.writeDouble(config.minScale());
    out.writeInt(config.calibrationWindow());
    out.writeInt(config.calibrationMin());
    out.writeInt(config.svmStride());
    out.writeInt(config.svmHistory());
    out.writeInt(config.svmRefitEvery());
    out.writeDouble(config.svmNu());
    out.writeDouble(config.threshold());
    out.writeInt(features.size());
    for (String f : features) {
      out.writeUTF(f);
    }
    for (int f = 0; f < tracks.length; f++) {
      tracks[f].write(out);
      for (TailCalibration c : calibrations[f]) {
        if (c != null) {
          c.write(out);
        }
      }
    }
  }

  /**
   * Reads an ensemble {@link #write} wrote, in this version's layout or one of the two before it: a
   * detector the writer did not have (level before format 3, peak before 2) starts empty (the level
   * cannot alarm for the three days its residuals, its delay and its calibration take to fill; the
   * peak for one); every other detector scores as in an ensemble of this version that never
   * stopped.
   *
   * @throws IOException if the input is cut short, of another format version, or inconsistent
   *     (naming what)
   */
  public static AnomalyEnsemble read(DataInput in) throws IOException {
    int format = in.readInt();
    if (format < FORMAT_WITHOUT_PEAK || format > FORMAT) {
      throw new IOException(
          "anomaly ensemble: format %d, this version reads %d to %d"
              .formatted(format, FORMAT_WITHOUT_PEAK, FORMAT));
    }
    Config config;
    List<String> features = new ArrayList<>();
    try {
      config =
          new Config(
              in.readInt(),
              in.readInt(),
              in.readInt(),
              in.readDouble(),
              in.readDouble(),
              in.readInt(),
              in.readInt(),
              in.readInt(),
              in.readInt(),
              in.readInt(),
              in.readDouble(),
              in.readDouble(),
              false);
      int count = in.readInt();
      if (count < 1 || count > 1024) {
        throw new IOException("anomaly ensemble: %d features".formatted(count));
      }
      for (int i = 0; i < count; i++) {
        features.add(in.readUTF());
      }
    } catch (IllegalArgumentException e) {
      throw new IOException("anomaly ensemble: bad settings: " + e.getMessage(), e);
    }
    AnomalyEnsemble e = new AnomalyEnsemble(config, features);
    for (int f = 0; f < e.tracks.length; f++) {
      e.tracks[f].readState(in, format > FORMAT_WITHOUT_LEVEL);
      for (int j = 0; j < e.calibrations[f].length; j++) {
        if (e.calibrations[f][j] != null
            && !(j == SeriesTrack.PEAK && format == FORMAT_WITHOUT_PEAK)
            && !(j == SeriesTrack.LEVEL && format <= FORMAT_WITHOUT_LEVEL)) {
          e.calibrations[f][j].readPast(in);
        }
      }
    }
    return e;
  }

  /**
   * The smallest tail scale of a detector's calibration: the SVM's decision values are small; a
   * peak is rare, so its past has few exceedances to fit a tail to, and a scale of 1 keeps the
   * first moderate burst of a week from looking a million times rarer than it is (on July of the
   * Bitbrains sample: 1.02 false alarms per VM-week with 0.5, 0.97 with 1, the same recall).
   */
  private static double sigmaFloor(int detector) {
    return switch (detector) {
      case SeriesTrack.ONE_CLASS_SVM -> 0.01;
      case SeriesTrack.PEAK -> 1.0;
      default -> 0.5;
    };
  }

  /**
   * The absolute guard: a statistic in robust standard deviations must reach {@link
   * #MIN_DEVIATIONS}; the SVM's must lie outside the learned support.
   */
  private static boolean large(int detector, double s) {
    return detector == SeriesTrack.ONE_CLASS_SVM ? s > 0 : s >= MIN_DEVIATIONS;
  }

  /** A detector's p-value as a score in [0, 1]: {@code −log10(p) / decades}, capped at 1. */
  static double score(double p, int detector) {
    return p <= 0 ? 1 : Math.min(1, Math.max(0, -Math.log10(p) / SCORE_DECADES[detector]));
  }
}
