package io.vmdna.models.dna;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The learned part of the DNA, saved as one JSON file: the fleet's {@link RobustScaler}, the {@link
 * DnaAutoencoder} that turns a DNA into a short embedding (16 numbers in the shipped model), the
 * distribution of reconstruction errors on the training fleet (so an error becomes a score in [0,
 * 1]), a library of the training VMs' embeddings for similarity search, and a one-class SVM on the
 * training fleet's embeddings ({@link DnaOneClass}: how far a DNA lies outside where DNAs usually
 * lie; absent, null, in a model trained before it existed).
 *
 * <p>Immutable; every method is thread-safe.
 *
 * @param schemaVersion the DNA schema it was trained on ({@link DnaSchema#VERSION})
 * @param featureNames the feature names in order, checked against the schema when loaded
 * @param scaler the fleet scaling
 * @param autoencoder the embedding network
 * @param errorQuantiles reconstruction error on the training vectors at 0, 1, ..., 100 %
 * @param library one entry per training VM: the mean embedding of its training DNAs
 * @param oneClass the one-class SVM on the training embeddings, or null
 * @param training what it was trained on and how it did (for the manifest reader)
 */
public record DnaModel(
    int schemaVersion,
    List<String> featureNames,
    RobustScaler scaler,
    DnaAutoencoder autoencoder,
    double[] errorQuantiles,
    List<LibraryEntry> library,
    DnaOneClass oneClass,
    Training training) {

  /**
   * The score of the autoencoder's error or of the one-class SVM that counts as an alarm: beyond
   * every DNA of the training fleet. (At 0.999, beyond all but 0.1 % of them, the shipped model's
   * error alarmed on 0.93 % of the August DNAs, about 0.5 alarms per VM-week with a DNA every 3
   * hours, half the false-alarm budget; the trainer reports the share at this score on its
   * validation data.)
   */
  public static final double ALARM_SCORE = 1.0;

  /** File name of a model. */
  public static final String FILE = "dna-model.json";

  /** Classpath location of the model shipped in this jar. */
  public static final String SHIPPED_RESOURCE = "/artifacts/dna/" + FILE;

  /**
   * A VM of the training fleet.
   *
   * @param vm its id
   * @param embedding its mean embedding over the training period
   */
  public record LibraryEntry(String vm, double[] embedding) {}

  /**
   * A similar VM.
   *
   * @param vm its id
   * @param distance Euclidean distance between embeddings
   */
  public record Neighbour(String vm, double distance) {}

  /**
   * What the model was trained on.
   *
   * @param data training folders
   * @param files trace files read
   * @param sha256 SHA-256 of the files' bytes in name order
   * @param vectors DNA vectors trained on
   * @param strideSamples samples between two DNA vectors of a VM
   * @param settings the autoencoder settings
   * @param figures validation figures by name (see the trainer)
   */
  public record Training(
      List<String> data,
      int files,
      String sha256,
      int vectors,
      int strideSamples,
      DnaAutoencoder.Settings settings,
      Map<String, Double> figures) {}

  /**
   * A DNA as the model sees it.
   *
   * @param embedding the embedding
   * @param error reconstruction error (mean squared, scaled units, present features)
   * @param errorScore share of training vectors that reconstructed better, in [0, 1]
   * @param oneClassScore share of training embeddings that lay less far outside the one-class SVM's
   *     support, in [0, 1]; NaN without one
   */
  public record Encoded(
      double[] embedding, double error, double errorScore, double oneClassScore) {}

  /** Checks the model against this code's schema. */
  public DnaModel {
    if (schemaVersion != DnaSchema.VERSION || !featureNames.equals(DnaSchema.NAMES)) {
      throw new IllegalArgumentException(
          "DNA model is for schema %d with %d features; this code computes schema %d with %d"
              .formatted(schemaVersion, featureNames.size(), DnaSchema.VERSION, DnaSchema.size()));
    }
    if (scaler.size() != featureNames.size() || autoencoder.dims()[0] != featureNames.size()) {
      throw new IllegalArgumentException("DNA model's scaler or network does not fit its schema");
    }
    if (errorQuantiles.length != 101) {
      throw new IllegalArgumentException(
          "DNA model needs 101 error quantiles, has " + errorQuantiles.length);
    }
    featureNames = List.copyOf(featureNames);
    library = List.copyOf(library);
  }

  /** This model with another training record (what it was trained on and how it did). */
  public DnaModel withTraining(Training t) {
    return new DnaModel(
        schemaVersion, featureNames, scaler, autoencoder, errorQuantiles, library, oneClass, t);
  }

  /**
   * Encodes one DNA vector.
   *
   * @param features a schema-{@value DnaSchema#VERSION} vector (NaN = absent)
   * @throws IllegalArgumentException if its length does not match the schema
   */
  public Encoded encode(double[] features) {
    double[] scaled = new double[features.length];
    double[] present = new double[features.length];
    scaler.transform(features, scaled, present);
    DnaAutoencoder.Pass pass = autoencoder.pass(scaled, present);
    return new Encoded(
        pass.embedding(),
        pass.error(),
        errorScore(pass.error()),
        oneClass == null ? Double.NaN : oneClass.score(pass.embedding()));
  }

  /** Encodes a DNA; it must be of this model's schema. */
  public Encoded encode(Dna dna) {
    if (dna.schemaVersion() != schemaVersion) {
      throw new IllegalArgumentException(
          "DNA of schema %d given to a model of schema %d"
              .formatted(dna.schemaVersion(), schemaVersion));
    }
    return encode(dna.vector());
  }

  /** The share of training vectors whose error was below {@code error} (interpolated); NaN→0. */
  public double errorScore(double error) {
    return quantileScore(errorQuantiles, error);
  }

  /**
   * The share of a training population below {@code v}, from its values at 0, 1, ..., 100 %
   * (interpolated between them); 0 for NaN or below the smallest, 1 from the largest.
   */
  static double quantileScore(double[] quantiles, double v) {
    if (!(v > quantiles[0])) {
      return 0;
    }
    if (v >= quantiles[100]) {
      return 1;
    }
    int i = 0;
    while (quantiles[i + 1] < v) {
      i++;
    }
    double lo = quantiles[i];
    double hi = quantiles[i + 1];
    double frac = hi > lo ? (v - lo) / (hi - lo) : 1;
    return (i + frac) / 100;
  }

  /**
   * The {@code k} library VMs nearest to an embedding, nearest first.
   *
   * @param exclude a VM id to leave out (the VM itself), or null
   */
  public List<Neighbour> nearest(double[] embedding, int k, String exclude) {
    List<Neighbour> all = new ArrayList<>(library.size());
    for (LibraryEntry e : library) {
      if (!e.vm().equals(exclude)) {
        all.add(new Neighbour(e.vm(), distance(embedding, e.embedding())));
      }
    }
    all.sort(Comparator.comparingDouble(Neighbour::distance).thenComparing(Neighbour::vm));
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  /** Euclidean distance. */
  public static double distance(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s);
  }

  /** Writes the model to {@code file} atomically (a temporary file renamed into place). */
  public void save(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(".%s.%d.tmp".formatted(file.getFileName(), System.nanoTime()));
    try {
      mapper().writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads a model file.
   *
   * @throws IOException if it cannot be read or parsed, naming the file
   * @throws IllegalArgumentException if it is for another schema
   */
  public static DnaModel load(Path file) throws IOException {
    try {
      return mapper().readValue(file.toFile(), DnaModel.class);
    } catch (IOException e) {
      throw new IOException("cannot read DNA model " + file + ": " + e.getMessage(), e);
    }
  }

  /** The model shipped in this jar (trained on the Bitbrains July sample; see its README). */
  public static DnaModel shipped() {
    try (InputStream in = DnaModel.class.getResourceAsStream(SHIPPED_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("no shipped DNA model at " + SHIPPED_RESOURCE);
      }
      return mapper().readValue(in, DnaModel.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the shipped DNA model", e);
    }
  }

  /** The JSON mapper of model files (one line: the weights are tens of thousands of numbers). */
  static ObjectMapper mapper() {
    return new ObjectMapper();
  }
}
