package io.vmdna.models.dna;

import io.vmdna.models.predict.ForecastTrainer;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.TraceFormatException;
import io.vmdna.models.trace.VmTrace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@link DnaModel} on a fleet's traces and measures it on other traces.
 *
 * <p>Each VM gives a DNA vector every {@code strideSamples} samples once it has a day of history
 * (every vector is computed causally, as the streaming job would). The scaler and the autoencoder
 * are fitted on the training vectors; the library holds each training VM's mean embedding.
 * Validation figures (all on the validation traces, which nothing is fitted on):
 *
 * <ul>
 *   <li>{@code error_mean_train}, {@code error_mean_validate}, {@code error_p95_validate}:
 *       reconstruction error (mean squared, scaled units);
 *   <li>{@code identity_top1_embedding}, {@code identity_top5_embedding}: the share of validation
 *       snapshots of a VM that is also in training whose nearest (or five nearest) library VMs
 *       include itself, by embedding; {@code identity_top1_scaled}, {@code identity_top5_scaled}:
 *       the same with the whole scaled vector instead of the embedding (what the compression costs
 *       or gains); {@code identity_top1_random}: 1 / library size;
 *   <li>{@code shift_auc_error}: the probability that a snapshot whose last two hours of CPU % were
 *       raised by 30 points scores a higher reconstruction error than the same snapshot unmodified
 *       (0.5 = no signal); {@code shift_auc_one_class}: the same for the one-class SVM's score;
 *   <li>{@code one_class_outside_validate}: the share of validation DNAs outside the SVM's support
 *       (ν = 0.05 on training); {@code error_alarm_share_validate}, {@code
 *       one_class_alarm_share_validate}: the share at or above {@link DnaModel#ALARM_SCORE}.
 * </ul>
 *
 * <p>Deterministic for the same data and settings. Not thread-safe; one training at a time.
 */
public final class DnaTrainer {

  /**
   * Settings.
   *
   * @param strideSamples samples between two DNA vectors of a VM (36 = every 3 h of 5-minute
   *     samples)
   * @param autoencoder network settings
   */
  public record Config(int strideSamples, DnaAutoencoder.Settings autoencoder) {
    /** Validates. */
    public Config {
      if (strideSamples < 1) {
        throw new IllegalArgumentException("strideSamples must be >= 1, was " + strideSamples);
      }
    }

    /** A vector every 3 hours; the autoencoder's defaults. */
    public static Config defaults() {
      return new Config(36, DnaAutoencoder.Settings.defaults());
    }
  }

  private static final long DAY_S = 86_400;
  private static final int SHIFT_SAMPLES = 24;

  /** The most embeddings the one-class SVM trains on (every k-th; its fit is quadratic). */
  static final int ONE_CLASS_VECTORS = 4_000;

  private static final double SHIFT_PCT = 30;

  private final Config config;
  private final DnaExtractor extractor = new DnaExtractor();

  /** A trainer with these settings. */
  public DnaTrainer(Config config) {
    this.config = config;
  }

  /** One DNA vector of one VM, with the sample index it was taken at. */
  record Snapshot(String vm, int index, double[] features) {}

  /**
   * Trains, validates and writes {@code output/}{@value DnaModel#FILE}.
   *
   * @param trainDirs folders of training traces
   * @param validateDirs folders of validation traces
   * @param output the folder to write the model into (created)
   * @param progress receives a step per file read and per epoch
   * @return the model written
   * @throws IllegalArgumentException if a folder is missing or holds no usable trace
   */
  public DnaModel train(
      List<Path> trainDirs, List<Path> validateDirs, Path output, ForecastTrainer.Progress progress)
      throws IOException {
    List<Path> trainFiles = BitbrainsTraceReader.listTraceFiles(trainDirs);
    List<Path> validateFiles = BitbrainsTraceReader.listTraceFiles(validateDirs);
    int total = trainFiles.size() + config.autoencoder().epochs() + validateFiles.size();
    int[] done = {0};

    List<Snapshot> train = new ArrayList<>();
    for (Path f : trainFiles) {
      progress.update(done[0]++, total, "DNA of " + f.getFileName());
      DnaSeries s = read(f);
      if (s != null) {
        train.addAll(snapshots(s));
      }
    }
    if (train.isEmpty()) {
      throw new IllegalArgumentException(
          "no trace in %s has a day of samples to learn a DNA from".formatted(trainDirs));
    }
    List<double[]> raw = train.stream().map(Snapshot::features).toList();
    RobustScaler scaler = RobustScaler.fit(raw);
    List<double[]> scaled = new ArrayList<>();
    List<double[]> present = new ArrayList<>();
    for (double[] r : raw) {
      double[] x = new double[r.length];
      double[] m = new double[r.length];
      scaler.transform(r, x, m);
      scaled.add(x);
      present.add(m);
    }
    DnaAutoencoder ae =
        DnaAutoencoder.train(
            scaled,
            present,
            config.autoencoder(),
            epoch -> progress.update(done[0]++, total, "autoencoder epoch " + epoch));

    double[] errors = new double[scaled.size()];
    List<double[]> embeddings = new ArrayList<>();
    for (int i = 0; i < scaled.size(); i++) {
      errors[i] = ae.reconstructionError(scaled.get(i), present.get(i));
      embeddings.add(ae.embed(scaled.get(i)));
    }
    progress.update(done[0], total, "one-class SVM on the embeddings");
    DnaOneClass oneClass = DnaOneClass.train(embeddings, ONE_CLASS_VECTORS);
    List<DnaModel.LibraryEntry> library = new ArrayList<>();
    centroids(train, embeddings)
        .forEach((vm, mean) -> library.add(new DnaModel.LibraryEntry(vm, mean)));
    double[] sortedErrors = finiteSorted(errors);
    double[] quantiles = new double[101];
    for (int q = 0; q <= 100; q++) {
      quantiles[q] = Stats.quantileSorted(sortedErrors, q / 100.0);
    }

    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("vectors_train", (double) train.size());
    figures.put("error_mean_train", mean(sortedErrors));
    DnaModel provisional =
        new DnaModel(
            DnaSchema.VERSION,
            DnaSchema.NAMES,
            scaler,
            ae,
            quantiles,
            library,
            oneClass,
            new DnaModel.Training(List.of(), 0, "", 0, 0, config.autoencoder(), Map.of()));
    Map<String, double[]> scaledLibrary = centroids(train, scaled);
    validate(validateFiles, provisional, scaledLibrary, figures, progress, done, total);
    progress.update(total, total, "done");

    DnaModel model =
        provisional.withTraining(
            new DnaModel.Training(
                trainDirs.stream().map(Path::toString).toList(),
                trainFiles.size(),
                ForecastTrainer.digest(trainFiles),
                train.size(),
                config.strideSamples(),
                config.autoencoder(),
                figures));
    model.save(output.resolve(DnaModel.FILE));
    return model;
  }

  private void validate(
      List<Path> files,
      DnaModel model,
      Map<String, double[]> scaledLibrary,
      Map<String, Double> figures,
      ForecastTrainer.Progress progress,
      int[] done,
      int total) {
    List<Double> errors = new ArrayList<>();
    int queries = 0;
    int top1 = 0;
    int top5 = 0;
    int top1Scaled = 0;
    int top5Scaled = 0;
    long outsideCount = 0;
    long errorAlarms = 0;
    long oneClassAlarms = 0;
    long higher = 0;
    long ties = 0;
    long higherOneClass = 0;
    long tiesOneClass = 0;
    long pairs = 0;
    int d = DnaSchema.size();
    for (Path f : files) {
      progress.update(done[0]++, total, "validate on " + f.getFileName());
      DnaSeries s = read(f);
      if (s == null) {
        continue;
      }
      for (Snapshot snap : snapshots(s)) {
        DnaModel.Encoded enc = model.encode(snap.features());
        errors.add(enc.error());
        outsideCount += model.oneClass().outside(enc.embedding()) > 0 ? 1 : 0;
        errorAlarms += enc.errorScore() >= DnaModel.ALARM_SCORE ? 1 : 0;
        oneClassAlarms += enc.oneClassScore() >= DnaModel.ALARM_SCORE ? 1 : 0;
        if (scaledLibrary.containsKey(snap.vm())) {
          queries++;
          int rank = rank(model.nearest(enc.embedding(), 5, null), snap.vm());
          top1 += rank == 0 ? 1 : 0;
          top5 += rank >= 0 ? 1 : 0;
          double[] x = new double[d];
          double[] m = new double[d];
          model.scaler().transform(snap.features(), x, m);
          int rs = rankScaled(scaledLibrary, x, snap.vm());
          top1Scaled += rs == 0 ? 1 : 0;
          top5Scaled += rs >= 0 && rs < 5 ? 1 : 0;
        }
        DnaModel.Encoded shifted =
            model.encode(extractor.features(shifted(s, snap.index()), snap.index()));
        pairs++;
        if (shifted.error() > enc.error()) {
          higher++;
        } else if (shifted.error() == enc.error()) {
          ties++;
        }
        if (shifted.oneClassScore() > enc.oneClassScore()) {
          higherOneClass++;
        } else if (shifted.oneClassScore() == enc.oneClassScore()) {
          tiesOneClass++;
        }
      }
    }
    double[] e = finiteSorted(errors.stream().mapToDouble(Double::doubleValue).toArray());
    figures.put("vectors_validate", (double) e.length);
    figures.put("error_mean_validate", mean(e));
    figures.put("error_p95_validate", Stats.quantileSorted(e, 0.95));
    figures.put("identity_top1_embedding", queries == 0 ? Double.NaN : (double) top1 / queries);
    figures.put("identity_top5_embedding", queries == 0 ? Double.NaN : (double) top5 / queries);
    figures.put("identity_top1_scaled", queries == 0 ? Double.NaN : (double) top1Scaled / queries);
    figures.put("identity_top5_scaled", queries == 0 ? Double.NaN : (double) top5Scaled / queries);
    figures.put("identity_top1_random", 1.0 / Math.max(1, model.library().size()));
    figures.put("shift_auc_error", pairs == 0 ? Double.NaN : (higher + 0.5 * ties) / pairs);
    figures.put(
        "shift_auc_one_class",
        pairs == 0 ? Double.NaN : (higherOneClass + 0.5 * tiesOneClass) / pairs);
    figures.put(
        "one_class_outside_validate",
        e.length == 0 ? Double.NaN : (double) outsideCount / e.length);
    figures.put(
        "error_alarm_share_validate", e.length == 0 ? Double.NaN : (double) errorAlarms / e.length);
    figures.put(
        "one_class_alarm_share_validate",
        e.length == 0 ? Double.NaN : (double) oneClassAlarms / e.length);
  }

  /** The series with CPU % raised by 30 points (at most 100) over the two hours up to {@code i}. */
  static DnaSeries shifted(DnaSeries s, int i) {
    double[] cpu = s.cpuPct().clone();
    for (int j = Math.max(0, i - SHIFT_SAMPLES + 1); j <= i; j++) {
      cpu[j] = Math.min(100, cpu[j] + SHIFT_PCT);
    }
    return new DnaSeries(
        s.vmId(),
        s.timestampS(),
        cpu,
        s.memPct(),
        s.diskReadKbps(),
        s.diskWriteKbps(),
        s.netRxKbps(),
        s.netTxKbps(),
        s.cpuCores(),
        s.memProvisionedKb(),
        s.extras(),
        s.flows());
  }

  /** The VM's snapshots: every stride, once a day of history is there. */
  List<Snapshot> snapshots(DnaSeries s) {
    List<Snapshot> out = new ArrayList<>();
    if (s.size() == 0) {
      return out;
    }
    long start = s.timestampS()[0] + DAY_S;
    int first = Math.max(0, s.firstAfter(start - 1));
    for (int i = first; i < s.size(); i += config.strideSamples()) {
      out.add(new Snapshot(s.vmId(), i, extractor.features(s, i)));
    }
    return out;
  }

  /** Each VM's mean vector, in the snapshots' VM order. */
  private static Map<String, double[]> centroids(List<Snapshot> train, List<double[]> x) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < train.size(); i++) {
      double[] v = x.get(i);
      double[] sum = sums.computeIfAbsent(train.get(i).vm(), k -> new double[v.length]);
      for (int j = 0; j < v.length; j++) {
        sum[j] += v[j];
      }
      counts.merge(train.get(i).vm(), 1, Integer::sum);
    }
    sums.forEach(
        (vm, sum) -> {
          for (int j = 0; j < sum.length; j++) {
            sum[j] /= counts.get(vm);
          }
        });
    return sums;
  }

  private static int rank(List<DnaModel.Neighbour> nearest, String vm) {
    for (int i = 0; i < nearest.size(); i++) {
      if (nearest.get(i).vm().equals(vm)) {
        return i;
      }
    }
    return -1;
  }

  private static int rankScaled(Map<String, double[]> library, double[] x, String vm) {
    double own = DnaModel.distance(x, library.get(vm));
    int closer = 0;
    for (Map.Entry<String, double[]> e : library.entrySet()) {
      if (!e.getKey().equals(vm) && DnaModel.distance(x, e.getValue()) < own) {
        closer++;
      }
    }
    return closer;
  }

  private static DnaSeries read(Path f) {
    try {
      VmTrace t = new BitbrainsTraceReader().read(f);
      return DnaSeries.of(t.samples());
    } catch (TraceFormatException e) {
      return null;
    }
  }

  private static double[] finiteSorted(double[] x) {
    double[] v = Arrays.stream(x).filter(Double::isFinite).toArray();
    Arrays.sort(v);
    return v;
  }

  private static double mean(double[] x) {
    return x.length == 0 ? Double.NaN : Arrays.stream(x).sum() / x.length;
  }
}
