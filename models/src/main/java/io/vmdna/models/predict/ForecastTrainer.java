package io.vmdna.models.predict;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmdna.models.VmSample;
import io.vmdna.models.eval.CpuForecaster;
import io.vmdna.models.eval.ForecastEvaluation;
import io.vmdna.models.predict.ModelManifest.BoosterEntry;
import io.vmdna.models.predict.ModelManifest.DataSet;
import io.vmdna.models.predict.ModelManifest.Kind;
import io.vmdna.models.predict.ModelManifest.ValidationFigures;
import io.vmdna.models.predict.ModelManifest.WarningFigures;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.TraceFormatException;
import io.vmdna.models.trace.VmTrace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Trains a {@link ForecastModel}: for every horizon, quantile boosters (p50, p90) for CPU %, memory
 * % and network throughput, and an exceedance booster per CPU % threshold, on the training traces;
 * then, on the leading {@code tuningFraction} of each tuning trace (never the part that reports
 * score), it stops boosting early, calibrates pExceed (isotonic), and picks the warning cut-off
 * that catches the most onsets with no more false warnings per VM-day than seasonal-naive.
 *
 * <p>Deterministic for the same data, configuration and thread count (fixed seed, histogram trees).
 * Writes the model folder atomically: a failed run leaves no half-written model. Not thread-safe;
 * one training at a time per instance.
 */
public final class ForecastTrainer {

  /** Receives progress: {@code done} of {@code total} steps, and what is being done. */
  public interface Progress {
    /** Called before each step and once at the end ({@code done == total}). */
    void update(int done, int total, String what);
  }

  private static final List<Double> QUANTILES = List.of(0.5, 0.9);

  private final TrainingConfig config;

  /** A trainer with this configuration. */
  public ForecastTrainer(TrainingConfig config) {
    this.config = config;
  }

  /** One VM's traces: the columns and the samples. */
  private record Series(SeriesArrays arrays, List<VmSample> samples) {}

  /** Features and labels of many rows. */
  private static final class Rows {
    float[] x = new float[1 << 16];
    final Map<Target, float[]> label = new LinkedHashMap<>();
    final Map<Target, float[]> weight = new LinkedHashMap<>();
    float[] cpuMaxAhead = new float[1 << 12];
    String[] vm = new String[1 << 12];
    int n;

    Rows() {
      for (Target t : Target.values()) {
        label.put(t, new float[1 << 12]);
        weight.put(t, new float[1 << 12]);
      }
    }

    void add(SeriesArrays s, int t, int h) {
      if ((n + 1) * ForecastFeatures.SIZE > x.length) {
        x = Arrays.copyOf(x, x.length * 2);
      }
      ForecastFeatures.fill(s, t, h, x, n * ForecastFeatures.SIZE);
      for (Target tg : Target.values()) {
        float[] l = label.get(tg);
        if (n >= l.length) {
          label.put(tg, l = Arrays.copyOf(l, l.length * 2));
          weight.put(tg, Arrays.copyOf(weight.get(tg), l.length));
        }
        double v = tg.value(s, t + h);
        boolean known = Double.isFinite(v);
        l[n] = known ? (float) tg.toModel(v) - tg.base(x, n) : 0;
        weight.get(tg)[n] = known ? 1 : 0;
      }
      if (n >= cpuMaxAhead.length) {
        cpuMaxAhead = Arrays.copyOf(cpuMaxAhead, cpuMaxAhead.length * 2);
      }
      double mx = s.cpuPct()[t + 1];
      for (int u = t + 2; u <= t + h; u++) {
        mx = Math.max(mx, s.cpuPct()[u]);
      }
      cpuMaxAhead[n] = (float) mx;
      if (n >= vm.length) {
        vm = Arrays.copyOf(vm, vm.length * 2);
      }
      vm[n] = s.vmId();
      n++;
    }

    float[] features() {
      return Arrays.copyOf(x, n * ForecastFeatures.SIZE);
    }

    float[] label(Target t) {
      return Arrays.copyOf(label.get(t), n);
    }

    float[] weight(Target t) {
      return Arrays.copyOf(weight.get(t), n);
    }
  }

  /**
   * Trains and writes a model folder.
   *
   * @param trainDirs folders of training traces ({@code .csv}, {@code .csv.gz})
   * @param tuneDirs folders of tuning traces; only the leading {@code tuningFraction} of each is
   *     read
   * @param out the model folder to write (replaced if it exists)
   * @return the manifest written
   * @throws IllegalArgumentException when a folder holds no readable trace
   */
  public ModelManifest train(List<Path> trainDirs, List<Path> tuneDirs, Path out, Progress progress)
      throws IOException {
    List<Path> trainFiles = BitbrainsTraceReader.listTraceFiles(trainDirs);
    List<Path> tuneFiles = BitbrainsTraceReader.listTraceFiles(tuneDirs);
    List<Series> train = read(trainFiles, 1.0);
    List<Series> tune = read(tuneFiles, config.tuningFraction());
    if (train.isEmpty() || tune.isEmpty()) {
      throw new IllegalArgumentException(
          "no readable Bitbrains trace in %s".formatted(train.isEmpty() ? trainDirs : tuneDirs));
    }
    Map<String, Object> params = params();
    PeerLibrary peers = PeerLibrary.build(train.stream().map(Series::arrays).toList());
    int total =
        config.horizons().size() * (Target.values().length + 2 * config.thresholdsPct().size());
    int done = 0;
    Path tmp = Files.createTempDirectory(out.toAbsolutePath().getParent(), ".training-");
    List<BoosterEntry> entries = new ArrayList<>();
    List<ValidationFigures> figures = new ArrayList<>();
    long trainRows = 0;
    long tuneRows = 0;
    try {
      for (int h : config.horizons()) {
        progress.update(done, total, "building features, horizon %d min".formatted(h * 5));
        Rows tr = rows(train, h);
        Rows tu = rows(tune, h);
        trainRows += tr.n;
        tuneRows += tu.n;
        float[] trX = tr.features();
        float[] tuX = tu.features();
        // a training VM's own month is its future: leave it out of its peers
        peers.complete(trX, tr.n, Arrays.copyOf(tr.vm, tr.n));
        peers.complete(tuX, tu.n, null);
        for (Target target : Target.values()) {
          progress.update(
              done++, total, "%s p50/p90, horizon %d min".formatted(target.id(), h * 5));
          Map<String, Object> p = new LinkedHashMap<>(params);
          p.put("objective", "reg:quantileerror");
          p.put("quantile_alpha", QUANTILES.toString());
          Trained b =
              fit(
                  p,
                  trX,
                  tr.n,
                  tr.label(target),
                  tr.weight(target),
                  tuX,
                  tu.n,
                  tu.label(target),
                  tu.weight(target));
          String file = "%s-h%d-quantile.ubj".formatted(target.id(), h);
          entries.add(
              new BoosterEntry(
                  file,
                  write(tmp.resolve(file), b.bytes()),
                  target,
                  h,
                  Kind.QUANTILE,
                  QUANTILES,
                  Double.NaN,
                  b.best(),
                  null,
                  Double.NaN));
          double[][] q = quantiles(b, target, tuX, tu.n);
          ValidationFigures f = regressionFigures(target, h, tune, q);
          if (target == Target.CPU_PCT) {
            for (double thr : config.thresholdsPct()) {
              progress.update(done++, total, "pExceed %s %%, horizon %d min".formatted(thr, h * 5));
              float[] trAt = exceeds(tr, trX, thr);
              float[] tuAt = exceeds(tu, tuX, thr);
              Classifier ex =
                  fitClassifier(params, Kind.EXCEED, thr, h, trX, tr, trAt, tuX, tu, tuAt);
              progress.update(
                  done++, total, "warning rule %s %%, horizon %d min".formatted(thr, h * 5));
              float[] trIn = within(tr, thr);
              float[] tuIn = within(tu, thr);
              Classifier wi =
                  fitClassifier(params, Kind.WITHIN, thr, h, trX, tr, trIn, tuX, tu, tuIn);
              ForecastEvaluation.Score naive = seasonalNaive(tune, h, thr);
              double warnAt = tuneWarnAt(tune, q, wi.p(), h, thr, naive);
              entries.add(write(tmp, ex, Double.NaN));
              entries.add(write(tmp, wi, warnAt));
              if (thr == config.thresholdsPct().getFirst()) {
                f = withWarning(f, tune, q, ex.p(), wi.p(), warnAt, h, thr, naive);
              }
            }
          }
          figures.add(f);
        }
      }
      ModelManifest manifest =
          new ModelManifest(
              config.name(),
              ForecastFeatures.SCHEMA_VERSION,
              ForecastFeatures.NAMES,
              ForecastFeatures.SAMPLE_INTERVAL_S,
              "xgboost4j " + xgboostVersion(),
              stringParams(params),
              config.maxRounds(),
              config.earlyStoppingRounds(),
              new DataSet(names(trainDirs), trainFiles.size(), trainRows, digest(trainFiles)),
              new DataSet(names(tuneDirs), tuneFiles.size(), tuneRows, digest(tuneFiles)),
              config.tuningFraction(),
              entries,
              new ModelManifest.FileRef(
                  PeerLibrary.FILE,
                  write(tmp.resolve(PeerLibrary.FILE), mapper().writeValueAsBytes(peers))),
              figures);
      mapper().writeValue(tmp.resolve(ModelManifest.FILE).toFile(), manifest);
      replace(tmp, out);
      progress.update(total, total, "wrote " + out);
      return manifest;
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost failed to train: " + e.getMessage(), e);
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * A classifier needs rows of both classes; XGBoost's own error for one class is a native
   * "base_score must be in (0,1)" that names neither the threshold nor the data.
   */
  private static void requireBothClasses(
      Kind kind, double thr, int h, String which, float[] y, int n) {
    int positives = 0;
    for (int i = 0; i < n; i++) {
      positives += y[i] > 0 ? 1 : 0;
    }
    if (positives == 0 || positives == n) {
      throw new IllegalArgumentException(
          ("train: the %s data has %s row where CPU %% %s %s %% at %d min ahead (%d rows), so"
                  + " the %s classifier for threshold %s %% cannot be learnt; use traces that"
                  + " cross the threshold, or another --thresholds")
              .formatted(
                  which,
                  positives == 0 ? "no" : "only",
                  kind == Kind.EXCEED ? "exceeds" : "exceeds within",
                  thr,
                  h * ForecastFeatures.SAMPLE_INTERVAL_S / 60,
                  n,
                  kind.name().toLowerCase(java.util.Locale.ROOT),
                  thr));
    }
  }

  /** A trained classifier and its calibrated probabilities on the tuning rows. */
  private record Classifier(
      Kind kind, double thr, int h, Trained booster, IsotonicCalibration cal, double[] p) {}

  private Classifier fitClassifier(
      Map<String, Object> params,
      Kind kind,
      double thr,
      int h,
      float[] trX,
      Rows tr,
      float[] trY,
      float[] tuX,
      Rows tu,
      float[] tuY)
      throws XGBoostError {
    requireBothClasses(kind, thr, h, "training", trY, tr.n);
    requireBothClasses(kind, thr, h, "tuning", tuY, tu.n);
    Map<String, Object> p = new LinkedHashMap<>(params);
    p.put("objective", "binary:logistic");
    p.put("eval_metric", "logloss");
    Trained b =
        fit(
            p,
            trX,
            tr.n,
            trY,
            tr.weight(Target.CPU_PCT),
            tuX,
            tu.n,
            tuY,
            tu.weight(Target.CPU_PCT));
    float[] raw = predict(b, tuX, tu.n, 0);
    boolean[] happened = new boolean[tu.n];
    for (int i = 0; i < tu.n; i++) {
      happened[i] = tuY[i] > 0;
    }
    IsotonicCalibration cal = IsotonicCalibration.fit(raw, happened);
    double[] pc = new double[tu.n];
    for (int i = 0; i < tu.n; i++) {
      pc[i] = cal.apply(raw[i]);
    }
    return new Classifier(kind, thr, h, b, cal, pc);
  }

  private static BoosterEntry write(Path dir, Classifier c, double warnAt) throws IOException {
    String file =
        "cpu_pct-h%d-%s%s.ubj"
            .formatted(c.h(), c.kind().name().toLowerCase(Locale.ROOT), fmt(c.thr()));
    return new BoosterEntry(
        file,
        write(dir.resolve(file), c.booster().bytes()),
        Target.CPU_PCT,
        c.h(),
        c.kind(),
        List.of(),
        c.thr(),
        c.booster().best(),
        c.cal(),
        warnAt);
  }

  /**
   * The cut-off on the calibrated within-horizon probability that catches the most onsets in the
   * tuning data while issuing no more false warnings per VM-day than seasonal-naive there (ties:
   * fewer false warnings).
   */
  private static double tuneWarnAt(
      List<Series> tune,
      double[][] q,
      double[] p,
      int h,
      double thr,
      ForecastEvaluation.Score naive) {
    double budget = naive.falseWarningsPerVmDay();
    double best = 1.01;
    long bestCaught = -1;
    double bestFalse = Double.MAX_VALUE;
    for (int k = 2; k <= 100; k++) {
      double cut = k / 100.0;
      ForecastEvaluation.Score m = scoreModel(tune, q, p, h, thr, cut);
      if (m.falseWarningsPerVmDay() <= budget
          && (m.caught() > bestCaught
              || (m.caught() == bestCaught && m.falseWarningsPerVmDay() < bestFalse))) {
        best = cut;
        bestCaught = m.caught();
        bestFalse = m.falseWarningsPerVmDay();
      }
    }
    return best;
  }

  private static ForecastEvaluation.Score scoreModel(
      List<Series> tune, double[][] q, double[] p, int h, double thr, double cut) {
    ForecastEvaluation eval = new ForecastEvaluation(0, thr);
    ForecastEvaluation.Score total = null;
    int offset = 0;
    for (Series s : tune) {
      int rows = Math.max(0, s.arrays().size() - h);
      double[] p50 = new double[s.arrays().size()];
      double[] p90 = new double[s.arrays().size()];
      boolean[] warn = new boolean[s.arrays().size()];
      for (int r = 0; r < rows; r++) {
        p50[r] = q[0][offset + r];
        p90[r] = q[1][offset + r];
      }
      boolean[] w = WarningRule.apply(p, offset, rows, cut, s.arrays().cpuPct(), 0, thr, h);
      System.arraycopy(w, 0, warn, 0, rows);
      offset += rows;
      ForecastEvaluation.Score sc =
          eval.score(CpuForecaster.precomputed("model", p50, p90, warn), s.samples(), h);
      total = total == null ? sc : total.plus(sc);
    }
    return total;
  }

  private static ValidationFigures withWarning(
      ValidationFigures f,
      List<Series> tune,
      double[][] q,
      double[] pExceed,
      double[] pWithin,
      double warnAt,
      int h,
      double thr,
      ForecastEvaluation.Score naive) {
    ReliabilityTable rel = new ReliabilityTable(10);
    int offset = 0;
    for (Series s : tune) {
      int n = Math.max(0, s.arrays().size() - h);
      for (int r = 0; r < n; r++) {
        rel.add(pExceed[offset + r], s.arrays().cpuPct()[r + h] > thr);
      }
      offset += n;
    }
    ForecastEvaluation.Score m = scoreModel(tune, q, pWithin, h, thr, warnAt);
    WarningFigures w =
        new WarningFigures(
            thr,
            warnAt,
            m.onsets(),
            m.caughtShare(),
            m.falseWarningsPerVmDay(),
            naive.caughtShare(),
            naive.falseWarningsPerVmDay());
    return new ValidationFigures(
        f.target(),
        f.horizon(),
        f.rows(),
        f.maeModel(),
        f.maePersistence(),
        f.maeSeasonalNaive(),
        f.p90Coverage(),
        w,
        rel.bins());
  }

  private static ForecastEvaluation.Score seasonalNaive(List<Series> tune, int h, double thr) {
    ForecastEvaluation eval = new ForecastEvaluation(0, thr);
    ForecastEvaluation.Score naive = null;
    for (Series s : tune) {
      ForecastEvaluation.Score sc = eval.score(CpuForecaster.seasonalNaive(), s.samples(), h);
      naive = naive == null ? sc : naive.plus(sc);
    }
    return naive;
  }

  /** MAE of p50 beside persistence and seasonal-naive, and p90 coverage, on the tuning rows. */
  private static ValidationFigures regressionFigures(
      Target target, int h, List<Series> tune, double[][] q) {
    TargetScore score = new TargetScore(target, h);
    int offset = 0;
    for (Series s : tune) {
      score.add(s.arrays(), q, offset, 0);
      offset += Math.max(0, s.arrays().size() - h);
    }
    return new ValidationFigures(
        target,
        h,
        score.count(),
        score.maeModel(),
        score.maePersistence(),
        score.maeSeasonalNaive(),
        score.p90Coverage(),
        null,
        List.of());
  }

  private record Trained(byte[] bytes, int best, Booster booster) {}

  private Trained fit(
      Map<String, Object> params,
      float[] trX,
      int trN,
      float[] trY,
      float[] trW,
      float[] tuX,
      int tuN,
      float[] tuY,
      float[] tuW)
      throws XGBoostError {
    DMatrix dtrain = new DMatrix(trX, trN, ForecastFeatures.SIZE, Float.NaN);
    DMatrix dtune = new DMatrix(tuX, tuN, ForecastFeatures.SIZE, Float.NaN);
    try {
      dtrain.setLabel(trY);
      dtrain.setWeight(trW);
      dtune.setLabel(tuY);
      dtune.setWeight(tuW);
      // Boosting round by round (rather than XGBoost.train with watches, which prints every
      // round's metric on stdout): early stopping on the tuning rows, decided here.
      Booster b = XGBoost.train(dtrain, params, 0, Map.of(), null, null);
      DMatrix[] evalOn = {dtune};
      String[] evalNames = {"tune"};
      float[] metric = new float[1];
      float bestMetric = Float.POSITIVE_INFINITY;
      int best = 0;
      for (int round = 0; round < config.maxRounds(); round++) {
        b.update(dtrain, round);
        b.evalSet(evalOn, evalNames, round, metric);
        if (metric[0] < bestMetric) {
          bestMetric = metric[0];
          best = round;
        } else if (round - best >= config.earlyStoppingRounds()) {
          break;
        }
      }
      return new Trained(b.toByteArray("ubj"), best, b);
    } finally {
      dtrain.dispose();
      dtune.dispose();
    }
  }

  private static double[][] quantiles(Trained b, Target target, float[] x, int rows)
      throws XGBoostError {
    try {
      float[][] out =
          b.booster()
              .inplace_predict(
                  x, rows, ForecastFeatures.SIZE, Float.NaN, new int[] {0, b.best() + 1});
      double[][] q = new double[2][rows];
      for (int r = 0; r < rows; r++) {
        float base = target.base(x, r);
        q[0][r] = target.fromModel(base + out[r][0]);
        q[1][r] = Math.max(q[0][r], target.fromModel(base + out[r][1]));
      }
      return q;
    } finally {
      b.booster().dispose();
    }
  }

  private static float[] predict(Trained b, float[] x, int rows, int column) throws XGBoostError {
    try {
      float[][] out =
          b.booster()
              .inplace_predict(
                  x, rows, ForecastFeatures.SIZE, Float.NaN, new int[] {0, b.best() + 1});
      float[] col = new float[rows];
      for (int r = 0; r < rows; r++) {
        col[r] = out[r][column];
      }
      return col;
    } finally {
      b.booster().dispose();
    }
  }

  private Map<String, Object> params() {
    Map<String, Object> p = new TreeMap<>();
    p.put("tree_method", "hist");
    p.put("max_depth", config.maxDepth());
    p.put("eta", config.eta());
    p.put("subsample", 0.8);
    p.put("colsample_bytree", 0.8);
    p.put("min_child_weight", 5);
    p.put("max_bin", 256);
    p.put("seed", config.seed());
    p.put("nthread", config.threads());
    p.put("verbosity", 0);
    return p;
  }

  private static Map<String, String> stringParams(Map<String, Object> p) {
    Map<String, String> s = new TreeMap<>();
    p.forEach((k, v) -> s.put(k, String.valueOf(v)));
    return s;
  }

  /** 1 where CPU % exceeds {@code thr} at some sample within the horizon. */
  private static float[] within(Rows rows, double thr) {
    float[] y = new float[rows.n];
    for (int i = 0; i < rows.n; i++) {
      y[i] = rows.cpuMaxAhead[i] > thr ? 1 : 0;
    }
    return y;
  }

  /** 1 where CPU % at the target time exceeds {@code thr} (labels hold the change from now). */
  private static float[] exceeds(Rows rows, float[] x, double thr) {
    float[] change = rows.label(Target.CPU_PCT);
    float[] y = new float[rows.n];
    for (int i = 0; i < rows.n; i++) {
      y[i] = change[i] + Target.CPU_PCT.base(x, i) > thr ? 1 : 0;
    }
    return y;
  }

  private static Rows rows(List<Series> series, int h) {
    Rows r = new Rows();
    for (Series s : series) {
      for (int t = 0; t + h < s.arrays().size(); t++) {
        r.add(s.arrays(), t, h);
      }
    }
    return r;
  }

  private static List<Series> read(List<Path> files, double fraction) {
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    List<Series> out = new ArrayList<>();
    for (Path f : files) {
      VmTrace t;
      try {
        t = reader.read(f);
      } catch (TraceFormatException e) {
        continue;
      }
      List<VmSample> s = t.samples().subList(0, (int) Math.floor(t.samples().size() * fraction));
      if (s.size() > TrainingConfig.MAX_HORIZON) {
        List<VmSample> copy = List.copyOf(s);
        out.add(new Series(SeriesArrays.of(copy), copy));
      }
    }
    return out;
  }

  private static List<String> names(List<Path> dirs) {
    return dirs.stream().map(Path::toString).toList();
  }

  /** SHA-256 over the files' bytes, in the given order. */
  public static String digest(List<Path> files) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (Path f : files) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
          while (in.read(buf) >= 0) {
            // digesting
          }
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String write(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes);
    return ForecastModel.sha256(bytes);
  }

  private static String fmt(double thr) {
    return thr == Math.rint(thr) ? String.valueOf((long) thr) : String.valueOf(thr);
  }

  private static String xgboostVersion() {
    String v = XGBoost.class.getPackage().getImplementationVersion();
    return v == null ? "3.0.4" : v;
  }

  static ObjectMapper mapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  private static void replace(Path tmp, Path out) throws IOException {
    Path old = null;
    if (Files.exists(out)) {
      old = out.resolveSibling(out.getFileName() + ".old-" + System.nanoTime());
      Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) {
      deleteTree(old);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
