package io.vmdna.models.anomaly;

import java.util.Arrays;
import libsvm.svm;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.anomaly.AnomalyFactory;
import org.tribuo.anomaly.Event;
import org.tribuo.anomaly.libsvm.LibSVMAnomalyTrainer;
import org.tribuo.anomaly.libsvm.SVMAnomalyType;
import org.tribuo.common.libsvm.KernelType;
import org.tribuo.common.libsvm.SVMParameters;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * A one-class SVM (Tribuo's LibSVM, RBF kernel) over short-window DNA vectors of one series,
 * trained on the series' own past: it learns the shapes an hour of this VM usually has (level,
 * spread, extremes, slope, distance from the same time on earlier days) and says how far a new hour
 * lies outside them.
 *
 * <p>Vectors are kept in a ring of {@code capacity}; {@link #fit()} standardises each dimension by
 * the kept vectors' median and robust spread (at least {@code minScale}) and trains a new model on
 * them. {@link #outside} is the negated decision value: above 0 outside the learned support. Not
 * thread-safe; deterministic for the same vectors (LibSVM's one-class solver draws no random
 * numbers).
 */
final class OneClassWindowModel {
  /** The window vector's dimensions, in order. */
  static final String[] DIMENSIONS = {"mean", "std", "max", "min", "slope", "seasonal"};

  private static final AnomalyFactory FACTORY = new AnomalyFactory();

  static {
    // LibSVM prints its optimiser's progress to stdout unless told otherwise
    svm.svm_set_print_string_function(line -> {});
  }

  private final double[][] ring;
  private final double nu;
  private final double minScale;
  private int count;
  private int next;
  private Model<Event> model;
  private final double[] center = new double[DIMENSIONS.length];
  private final double[] scale = new double[DIMENSIONS.length];

  /**
   * A model.
   *
   * @param capacity vectors kept for training
   * @param nu the share of training vectors allowed outside the support, (0, 1)
   * @param minScale floor of each dimension's spread, in the series' unit
   */
  OneClassWindowModel(int capacity, double nu, double minScale) {
    this.ring = new double[capacity][];
    this.nu = nu;
    this.minScale = minScale;
  }

  /** Keeps a training vector (of {@link #DIMENSIONS} length, finite). */
  void add(double[] vector) {
    ring[next] = vector.clone();
    next = (next + 1) % ring.length;
    count = Math.min(count + 1, ring.length);
  }

  /** Vectors kept. */
  int size() {
    return count;
  }

  /** Trains on the kept vectors (at least 10; fewer leaves the model as it was). */
  void fit() {
    if (count < 10) {
      return;
    }
    int d = DIMENSIONS.length;
    for (int j = 0; j < d; j++) {
      double[] col = new double[count];
      for (int i = 0; i < count; i++) {
        col[i] = ring[i][j];
      }
      Arrays.sort(col);
      center[j] = col[count / 2];
      double iqr = col[(int) (0.75 * (count - 1))] - col[(int) (0.25 * (count - 1))];
      scale[j] = Math.max(minScale, iqr / 1.349);
    }
    MutableDataset<Event> data =
        new MutableDataset<>(new SimpleDataSourceProvenance("vm history", FACTORY), FACTORY);
    for (int i = 0; i < count; i++) {
      data.add(new ArrayExample<>(AnomalyFactory.EXPECTED_EVENT, DIMENSIONS, standardise(ring[i])));
    }
    SVMParameters<Event> p =
        new SVMParameters<>(new SVMAnomalyType(SVMAnomalyType.SVMMode.ONE_CLASS), KernelType.RBF);
    p.setNu(nu);
    p.setGamma(1.0 / d);
    model = new LibSVMAnomalyTrainer(p).train(data);
  }

  /** How far a vector lies outside the learned support (> 0 outside); NaN before a fit. */
  double outside(double[] vector) {
    if (model == null) {
      return Double.NaN;
    }
    Event e =
        model
            .predict(
                new ArrayExample<>(AnomalyFactory.UNKNOWN_EVENT, DIMENSIONS, standardise(vector)))
            .getOutput();
    return -e.getScore();
  }

  private double[] standardise(double[] v) {
    double[] z = new double[v.length];
    for (int j = 0; j < v.length; j++) {
      z[j] = Math.max(-10, Math.min(10, (v[j] - center[j]) / scale[j]));
    }
    return z;
  }
}
