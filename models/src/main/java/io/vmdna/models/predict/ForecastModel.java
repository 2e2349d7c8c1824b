package io.vmdna.models.predict;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmdna.models.predict.ModelManifest.BoosterEntry;
import io.vmdna.models.predict.ModelManifest.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A trained forecast model: per horizon, quantile boosters (p50, p90) for CPU %, memory % and
 * network throughput, and calibrated exceedance boosters for the CPU % thresholds it was trained
 * for (at the target time: {@code pExceed}; at any time within the horizon: the warning rule,
 * {@link WarningRule}). Loaded from a folder written by {@link ForecastTrainer} (or the one shipped
 * in this jar, {@link #shipped()}).
 *
 * <p>Scores in batches: {@link #forecastCpu} builds the features of many rows and runs each booster
 * once over them. Thread-safe, but XGBoost serialises predictions on one booster: give each scoring
 * thread (each Flink subtask) its own instance, loaded once, with {@code threads = 1}.
 */
public final class ForecastModel implements AutoCloseable {

  /** Classpath folder of the model shipped in this jar. */
  public static final String SHIPPED_RESOURCE = "/artifacts/forecast/";

  /** A booster and what it is. */
  private record Loaded(BoosterEntry entry, Booster booster) {}

  private final ModelManifest manifest;
  private final PeerSearch peers;
  private final Map<String, Loaded> boosters = new LinkedHashMap<>();

  private ForecastModel(ModelManifest manifest, Map<String, byte[]> files, int threads) {
    this.manifest = manifest;
    checkSchema(manifest);
    this.peers = readPeers(manifest, files.get(manifest.peers().file()));
    try {
      for (BoosterEntry e : manifest.boosters()) {
        byte[] bytes = files.get(e.file());
        String digest = sha256(bytes);
        if (!digest.equals(e.sha256())) {
          throw new IllegalArgumentException(
              "model %s: booster file %s has digest %s, the manifest says %s (file damaged or replaced)"
                  .formatted(manifest.name(), e.file(), digest, e.sha256()));
        }
        Booster b = XGBoost.loadModel(bytes);
        b.setParam("nthread", threads);
        boosters.put(key(e.target(), e.horizon(), e.kind(), e.thresholdPct()), new Loaded(e, b));
      }
    } catch (XGBoostError | IOException e) {
      close();
      throw new IllegalArgumentException(
          "model %s: XGBoost cannot load a booster: %s".formatted(manifest.name(), e.getMessage()),
          e);
    }
  }

  /**
   * Loads a model folder ({@code manifest.json} and the booster files it names).
   *
   * @param dir the folder
   * @param threads scoring threads per booster (1 in Flink subtasks)
   * @throws IllegalArgumentException when the folder is not a model, a file is missing or damaged,
   *     or the model was trained on another feature schema; the message says which
   */
  public static ForecastModel load(Path dir, int threads) {
    Path mf = dir.resolve(ModelManifest.FILE);
    try {
      ModelManifest m = new ObjectMapper().readValue(Files.readAllBytes(mf), ModelManifest.class);
      checkSchema(m);
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (BoosterEntry e : m.boosters()) {
        files.put(e.file(), Files.readAllBytes(dir.resolve(e.file())));
      }
      files.put(m.peers().file(), Files.readAllBytes(dir.resolve(m.peers().file())));
      return new ForecastModel(m, files, threads);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "not a forecast model folder: %s is missing (train one with ./vmdna train)"
              .formatted(e.getFile()),
          e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the forecast model in %s: %s".formatted(dir, e.getMessage()), e);
    }
  }

  /** The name that {@link #open} reads as "the model shipped in this jar". */
  public static final String SHIPPED = "shipped";

  /**
   * Opens a model by how users name it: {@link #SHIPPED} for the model in this jar, else a model
   * folder ({@link #load}).
   */
  public static ForecastModel open(String shippedOrFolder, int threads) {
    return SHIPPED.equals(shippedOrFolder)
        ? shipped(threads)
        : load(Path.of(shippedOrFolder), threads);
  }

  /** The model shipped in this jar (trained on the Bitbrains July sample), see the README. */
  public static ForecastModel shipped(int threads) {
    try {
      ModelManifest m =
          new ObjectMapper().readValue(resource(ModelManifest.FILE), ModelManifest.class);
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (BoosterEntry e : m.boosters()) {
        files.put(e.file(), resource(e.file()));
      }
      files.put(m.peers().file(), resource(m.peers().file()));
      return new ForecastModel(m, files, threads);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the shipped forecast model", e);
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ForecastModel.class.getResourceAsStream(SHIPPED_RESOURCE + name)) {
      if (in == null) {
        throw new IOException("resource " + SHIPPED_RESOURCE + name + " is not in the jar");
      }
      return in.readAllBytes();
    }
  }

  private static PeerSearch readPeers(ModelManifest m, byte[] bytes) {
    if (bytes == null) {
      throw new IllegalArgumentException(
          "model %s: its peer library %s is missing".formatted(m.name(), m.peers().file()));
    }
    String digest = sha256(bytes);
    if (!digest.equals(m.peers().sha256())) {
      throw new IllegalArgumentException(
          "model %s: %s has digest %s, the manifest says %s (file damaged or replaced)"
              .formatted(m.name(), m.peers().file(), digest, m.peers().sha256()));
    }
    try {
      return new ObjectMapper().readValue(bytes, PeerLibrary.class).search();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "model %s: cannot read %s: %s".formatted(m.name(), m.peers().file(), e.getMessage()), e);
    }
  }

  private static void checkSchema(ModelManifest m) {
    if (m.schemaVersion() != ForecastFeatures.SCHEMA_VERSION
        || !ForecastFeatures.NAMES.equals(m.features())) {
      throw new IllegalArgumentException(
          "model %s was trained on feature schema %d (%d features); this build computes schema %d (%d features): retrain it with ./vmdna train"
              .formatted(
                  m.name(),
                  m.schemaVersion(),
                  m.features() == null ? 0 : m.features().size(),
                  ForecastFeatures.SCHEMA_VERSION,
                  ForecastFeatures.SIZE));
    }
  }

  /** The manifest. */
  public ModelManifest manifest() {
    return manifest;
  }

  /** Horizons it forecasts, in samples. */
  public TreeSet<Integer> horizons() {
    TreeSet<Integer> h = new TreeSet<>();
    manifest.boosters().forEach(e -> h.add(e.horizon()));
    return h;
  }

  /** CPU % thresholds it gives pExceed for. */
  public TreeSet<Double> thresholds() {
    TreeSet<Double> t = new TreeSet<>();
    manifest.boosters().stream()
        .filter(e -> e.kind() == Kind.EXCEED)
        .forEach(e -> t.add(e.thresholdPct()));
    return t;
  }

  /**
   * Checks that the model can forecast {@code h} samples ahead with pExceed for {@code
   * thresholdPct}.
   *
   * @throws IllegalArgumentException naming what it offers instead
   */
  public void requireSupports(int h, double thresholdPct) {
    if (!horizons().contains(h)) {
      throw new IllegalArgumentException(
          "model %s forecasts %s minutes ahead, not %d: train it for that horizon (./vmdna train --horizons)"
              .formatted(
                  manifest.name(),
                  horizons().stream().map(x -> x * 5).toList(),
                  h * manifest.sampleIntervalS() / 60));
    }
    if (!boosters.containsKey(key(Target.CPU_PCT, h, Kind.EXCEED, thresholdPct))
        || !boosters.containsKey(key(Target.CPU_PCT, h, Kind.WITHIN, thresholdPct))) {
      throw new IllegalArgumentException(
          "model %s gives pExceed for CPU thresholds %s %%, not %s %%: it does not extrapolate to thresholds it was not trained for; train it with --thresholds"
              .formatted(manifest.name(), thresholds(), thresholdPct));
    }
  }

  /**
   * CPU forecasts for {@code h} samples ahead, made at each index {@code t} in {@code [from,
   * s.size())} from samples {@code 0..t} only.
   *
   * @throws IllegalArgumentException when the horizon or threshold is not in the model
   */
  public SeriesForecast forecastCpu(SeriesArrays s, int h, double thresholdPct, int from) {
    requireSupports(h, thresholdPct);
    return forecastCpu(s, h, thresholdPct, from, null);
  }

  /**
   * As {@link #forecastCpu(SeriesArrays, int, double, int)}, treating the VM as new to the model:
   * its own profile from the training data (if it was in it) is not among its peers. For measuring
   * cold starts.
   *
   * @param excludePeer the VM id to leave out of the peers, or null
   */
  public SeriesForecast forecastCpu(
      SeriesArrays s, int h, double thresholdPct, int from, String excludePeer) {
    requireSupports(h, thresholdPct);
    return scoreCpu(rows(s, h, from, excludePeer), Math.max(0, s.size() - from), h, thresholdPct);
  }

  /**
   * The feature rows, prepared ({@link #prepare}), of the forecasts made at each index {@code t} in
   * {@code [from, s.size())} for {@code h} samples ahead: build them once and score them with
   * {@link #scoreCpu} and {@link #quantiles}.
   *
   * @param excludePeer a VM id to leave out of the peers (to measure cold starts), or null
   */
  public float[] rows(SeriesArrays s, int h, int from, String excludePeer) {
    int rows = Math.max(0, s.size() - from);
    float[] x = new float[rows * ForecastFeatures.SIZE];
    for (int r = 0; r < rows; r++) {
      ForecastFeatures.fill(s, from + r, h, x, r * ForecastFeatures.SIZE);
    }
    String[] exclude = null;
    if (excludePeer != null) {
      exclude = new String[rows];
      java.util.Arrays.fill(exclude, excludePeer);
    }
    peers.complete(x, rows, exclude);
    return x;
  }

  /**
   * Completes rows built with {@link ForecastFeatures#fill}: the peer features, from the model's
   * {@link PeerLibrary}. Call once per row before {@link #scoreCpu} and {@link #quantiles} ({@link
   * #forecastCpu} does it).
   */
  public void prepare(float[] features, int rows) {
    peers.complete(features, rows, null);
  }

  /**
   * Scores CPU forecasts on rows of features built with {@link ForecastFeatures#fill} and completed
   * by {@link #prepare}.
   *
   * @param features {@code rows × ForecastFeatures.SIZE} values, row-major
   */
  public SeriesForecast scoreCpu(float[] features, int rows, int h, double thresholdPct) {
    AtTarget at = scoreCpuAtTarget(features, rows, h, thresholdPct);
    Loaded wi = boosters.get(key(Target.CPU_PCT, h, Kind.WITHIN, thresholdPct));
    float[][] rawWithin = predict(wi, features, rows);
    double[] pWithin = new double[rows];
    for (int r = 0; r < rows; r++) {
      pWithin[r] = wi.entry().calibration().apply(rawWithin[r][0]);
    }
    return new SeriesForecast(
        h, thresholdPct, at.p50(), at.p90(), at.pExceed(), pWithin, wi.entry().warnAt());
  }

  /**
   * As {@link #scoreCpu} without the warning rule's booster: p50, p90 and pExceed at the target
   * time, all the streaming job's host view reads (the warning's booster is a fifth of the CPU and
   * resource scoring). The same values as {@code scoreCpu}'s.
   */
  public AtTarget scoreCpuAtTarget(float[] features, int rows, int h, double thresholdPct) {
    requireSupports(h, thresholdPct);
    double[][] q = quantiles(Target.CPU_PCT, h, features, rows);
    Loaded ex = boosters.get(key(Target.CPU_PCT, h, Kind.EXCEED, thresholdPct));
    float[][] raw = predict(ex, features, rows);
    double[] p = new double[rows];
    for (int r = 0; r < rows; r++) {
      p[r] = ex.entry().calibration().apply(raw[r][0]);
    }
    return new AtTarget(q[0], q[1], p);
  }

  /**
   * CPU forecasts for consecutive rows at their target time.
   *
   * @param p50 median CPU %, per row
   * @param p90 90th percentile CPU %, per row
   * @param pExceed calibrated probability that CPU % exceeds the threshold at the target time
   */
  public record AtTarget(double[] p50, double[] p90, double[] pExceed) {}

  /**
   * p50 and p90 of a target for {@code h} samples ahead over rows of features, in the target's
   * unit; p90 is never below p50.
   *
   * @return {@code [0]} p50 per row, {@code [1]} p90 per row
   */
  public double[][] quantiles(Target target, int h, float[] features, int rows) {
    Loaded q = boosters.get(key(target, h, Kind.QUANTILE, Double.NaN));
    if (q == null) {
      throw new IllegalArgumentException(
          "model %s has no %s forecast %d samples ahead".formatted(manifest.name(), target, h));
    }
    float[][] out = predict(q, features, rows);
    double[][] res = new double[2][rows];
    for (int r = 0; r < rows; r++) {
      float base = target.base(features, r);
      double p50 = target.fromModel(base + out[r][0]);
      double p90 = target.fromModel(base + out[r][1]);
      res[0][r] = p50;
      res[1][r] = Math.max(p50, p90);
    }
    return res;
  }

  private static float[][] predict(Loaded l, float[] features, int rows) {
    if (rows == 0) {
      return new float[0][];
    }
    try {
      return l.booster()
          .inplace_predict(
              features,
              rows,
              ForecastFeatures.SIZE,
              Float.NaN,
              new int[] {0, l.entry().bestIteration() + 1});
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost failed to score: " + e.getMessage(), e);
    }
  }

  static String key(Target target, int h, Kind kind, double thresholdPct) {
    return target + "/" + h + "/" + kind + (kind == Kind.QUANTILE ? "" : "/" + thresholdPct);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Frees the native boosters. Idempotent. */
  @Override
  public void close() {
    boosters.values().forEach(l -> l.booster().dispose());
    boosters.clear();
  }

  /**
   * CPU forecasts for consecutive rows.
   *
   * @param horizon samples ahead
   * @param thresholdPct the threshold of {@code pExceed} and {@code warn}
   * @param p50 median CPU %, per row
   * @param p90 90th percentile CPU %, per row
   * @param pExceed calibrated probability that CPU % exceeds the threshold at the target time
   * @param pWithin calibrated probability that CPU % exceeds the threshold at some sample within
   *     the horizon
   * @param warnAt the model's cut-off on {@code pWithin} for this horizon and threshold (tuned on
   *     held-out data)
   */
  public record SeriesForecast(
      int horizon,
      double thresholdPct,
      double[] p50,
      double[] p90,
      double[] pExceed,
      double[] pWithin,
      double warnAt) {

    /**
     * The model's warnings ({@link WarningRule}: {@code pWithin} at or above {@code warnAt}, and
     * the CPU % quiet long enough for an exceedance to be a new overload). The rule reads the CPU %
     * before each forecast, so it needs the series the forecasts were made on.
     *
     * @param cpuPct the CPU % series; row {@code r} of this forecast was made at index {@code first
     *     + r}
     * @param first series index of row 0
     * @return one flag per row
     */
    public boolean[] warnings(double[] cpuPct, int first) {
      return WarningRule.apply(
          pWithin, 0, pWithin.length, warnAt, cpuPct, first, thresholdPct, horizon);
    }
  }

  /** All booster entries (for reports). */
  public List<BoosterEntry> entries() {
    return manifest.boosters();
  }
}
