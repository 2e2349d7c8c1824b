package io.vmdna.models.dna;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import libsvm.svm;
import libsvm.svm_model;
import libsvm.svm_node;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.MutableDataset;
import org.tribuo.anomaly.AnomalyFactory;
import org.tribuo.anomaly.Event;
import org.tribuo.anomaly.libsvm.LibSVMAnomalyModel;
import org.tribuo.anomaly.libsvm.LibSVMAnomalyTrainer;
import org.tribuo.anomaly.libsvm.SVMAnomalyType;
import org.tribuo.common.libsvm.KernelType;
import org.tribuo.common.libsvm.SVMParameters;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * A one-class SVM on DNA embeddings: trained (Tribuo's LibSVM, RBF kernel, ν {@value #NU}) on the
 * training fleet's embeddings, it learns the region where VMs' DNAs usually lie and says how far a
 * DNA lies outside it. Kept as its support vectors, coefficients and offset (read out of the
 * trained LibSVM model), so it is saved in the DNA model's JSON and scored in plain Java: {@code
 * outside(x) = ρ − Σ αᵢ exp(−γ‖svᵢ − x‖²)}, above 0 outside the support. {@link #score} turns it
 * into the share of training embeddings that lay less far out, in [0, 1].
 *
 * <p>Immutable and thread-safe. Deterministic for the same embeddings (LibSVM's one-class solver
 * draws no random numbers).
 *
 * @param gamma the RBF kernel's γ
 * @param rho the decision function's offset ρ
 * @param supportVectors the support vectors, in embedding coordinates
 * @param coefficients their coefficients αᵢ
 * @param outsideQuantiles {@link #outside} on the training embeddings at 0, 1, ..., 100 %
 */
public record DnaOneClass(
    double gamma,
    double rho,
    double[][] supportVectors,
    double[] coefficients,
    double[] outsideQuantiles) {

  /** The share of training embeddings allowed outside the support. */
  public static final double NU = 0.05;

  static {
    svm.svm_set_print_string_function(line -> {}); // LibSVM prints its optimiser's progress
  }

  /** Checks the shapes. */
  public DnaOneClass {
    if (supportVectors.length == 0 || supportVectors.length != coefficients.length) {
      throw new IllegalArgumentException(
          "one-class SVM needs support vectors with one coefficient each, has %d and %d"
              .formatted(supportVectors.length, coefficients.length));
    }
    if (outsideQuantiles.length != 101) {
      throw new IllegalArgumentException(
          "one-class SVM needs 101 quantiles, has " + outsideQuantiles.length);
    }
  }

  /**
   * Trains on embeddings (all of one length), at most {@code maxVectors} of them (every k-th, so
   * the same input gives the same model); the quantiles are taken over all of them.
   *
   * @throws IllegalArgumentException with fewer than 10 embeddings
   */
  public static DnaOneClass train(List<double[]> embeddings, int maxVectors) {
    if (embeddings.size() < 10) {
      throw new IllegalArgumentException(
          "one-class SVM needs at least 10 embeddings, got " + embeddings.size());
    }
    int dims = embeddings.getFirst().length;
    String[] names = names(dims);
    AnomalyFactory factory = new AnomalyFactory();
    MutableDataset<Event> data =
        new MutableDataset<>(new SimpleDataSourceProvenance("DNA embeddings", factory), factory);
    int step = Math.max(1, (embeddings.size() + maxVectors - 1) / maxVectors);
    for (int i = 0; i < embeddings.size(); i += step) {
      data.add(new ArrayExample<>(AnomalyFactory.EXPECTED_EVENT, names, embeddings.get(i)));
    }
    SVMParameters<Event> p =
        new SVMParameters<>(new SVMAnomalyType(SVMAnomalyType.SVMMode.ONE_CLASS), KernelType.RBF);
    p.setNu(NU);
    double gamma = 1.0 / dims;
    p.setGamma(gamma);
    LibSVMAnomalyModel trained = (LibSVMAnomalyModel) new LibSVMAnomalyTrainer(p).train(data);
    svm_model m = trained.getInnerModels().getFirst();
    ImmutableFeatureMap ids = trained.getFeatureIDMap();
    int[] dimOfId = new int[dims];
    for (int d = 0; d < dims; d++) {
      dimOfId[ids.get(names[d]).getID()] = d;
    }
    double[][] sv = new double[m.l][dims];
    double[] coef = new double[m.l];
    for (int i = 0; i < m.l; i++) {
      for (svm_node n : m.SV[i]) {
        sv[i][dimOfId[n.index]] = n.value; // a feature left out of a node is 0
      }
      coef[i] = m.sv_coef[0][i];
    }
    DnaOneClass draft = new DnaOneClass(gamma, m.rho[0], sv, coef, new double[101]);
    double[] outside = new double[embeddings.size()];
    for (int i = 0; i < outside.length; i++) {
      outside[i] = draft.outside(embeddings.get(i));
    }
    Arrays.sort(outside);
    double[] q = new double[101];
    for (int i = 0; i <= 100; i++) {
      q[i] = Stats.quantileSorted(outside, i / 100.0);
    }
    return new DnaOneClass(gamma, m.rho[0], sv, coef, q);
  }

  /** The names the embedding's dimensions get in Tribuo: {@code e00}, {@code e01}, ... */
  static String[] names(int dims) {
    List<String> n = new ArrayList<>(dims);
    for (int d = 0; d < dims; d++) {
      n.add("e%02d".formatted(d));
    }
    return n.toArray(String[]::new);
  }

  /** How far an embedding lies outside the learned support: above 0 outside, below 0 inside. */
  public double outside(double[] embedding) {
    double s = 0;
    for (int i = 0; i < supportVectors.length; i++) {
      double[] v = supportVectors[i];
      double d2 = 0;
      for (int j = 0; j < v.length; j++) {
        double diff = v[j] - embedding[j];
        d2 += diff * diff;
      }
      s += coefficients[i] * Math.exp(-gamma * d2);
    }
    return rho - s;
  }

  /** The share of training embeddings that lay less far out than this one, in [0, 1]. */
  public double score(double[] embedding) {
    return DnaModel.quantileScore(outsideQuantiles, outside(embedding));
  }
}
