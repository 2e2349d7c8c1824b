package io.vmdna.models.dna;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.anomaly.AnomalyFactory;
import org.tribuo.anomaly.Event;
import org.tribuo.anomaly.libsvm.LibSVMAnomalyTrainer;
import org.tribuo.anomaly.libsvm.SVMAnomalyType;
import org.tribuo.common.libsvm.KernelType;
import org.tribuo.common.libsvm.SVMParameters;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

class DnaOneClassTest {
  /** Embeddings around two centres in 4 dimensions, as tanh outputs would lie. */
  private static List<double[]> cloud(int n, long seed) {
    Random r = new Random(seed);
    List<double[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double c = i % 2 == 0 ? 0.4 : -0.4;
      out.add(
          new double[] {
            c + 0.1 * r.nextGaussian(),
            -c + 0.1 * r.nextGaussian(),
            0.1 * r.nextGaussian(),
            i % 3 == 0 ? 0 : 0.05 * r.nextGaussian() // some exact zeros (sparse nodes)
          });
    }
    return out;
  }

  @Test
  void shouldScoreAsTheTrainedLibSvmModelDoes() {
    List<double[]> train = cloud(400, 1);
    DnaOneClass m = DnaOneClass.train(train, 10_000);

    // the same data through Tribuo directly: its decision value is minus our "outside"
    AnomalyFactory f = new AnomalyFactory();
    MutableDataset<Event> data = new MutableDataset<>(new SimpleDataSourceProvenance("t", f), f);
    String[] names = DnaOneClass.names(4);
    train.forEach(x -> data.add(new ArrayExample<>(AnomalyFactory.EXPECTED_EVENT, names, x)));
    SVMParameters<Event> p =
        new SVMParameters<>(new SVMAnomalyType(SVMAnomalyType.SVMMode.ONE_CLASS), KernelType.RBF);
    p.setNu(DnaOneClass.NU);
    p.setGamma(0.25);
    var tribuo = new LibSVMAnomalyTrainer(p).train(data);
    for (double[] x : cloud(50, 2)) {
      double decision =
          tribuo
              .predict(new ArrayExample<>(AnomalyFactory.UNKNOWN_EVENT, names, x))
              .getOutput()
              .getScore();
      assertThat(m.outside(x)).isCloseTo(-decision, org.assertj.core.data.Offset.offset(1e-9));
    }

    // a point far from both centres lies outside, and scores above every training embedding
    double[] far = {0.9, 0.9, 0.9, 0.9};
    assertThat(m.outside(far)).isPositive();
    assertThat(m.score(far)).isEqualTo(1.0);
    assertThat(m.score(new double[] {0.4, -0.4, 0, 0})).isLessThan(0.5);
    // about ν of the training embeddings lie outside
    long outside = train.stream().filter(x -> m.outside(x) > 0).count();
    assertThat(outside / 400.0).isBetween(0.01, 0.15);
  }

  @Test
  void shouldBeDeterministicAndSubsampleEveryKth() {
    List<double[]> train = cloud(1000, 3);
    DnaOneClass a = DnaOneClass.train(train, 200);
    DnaOneClass b = DnaOneClass.train(train, 200);
    assertThat(a.rho()).isEqualTo(b.rho());
    assertThat(a.supportVectors()).isDeepEqualTo(b.supportVectors());
    assertThat(a.supportVectors().length).isLessThanOrEqualTo(200);

    assertThatThrownBy(() -> DnaOneClass.train(train.subList(0, 5), 100))
        .hasMessageContaining("at least 10 embeddings, got 5");
    assertThatThrownBy(() -> new DnaOneClass(1, 0, new double[0][], new double[0], new double[101]))
        .hasMessageContaining("support vectors with one coefficient each");
  }
}
