package io.vmdna.models.dna;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnaModelTest {

  @Test
  void scalerShouldCentreOnTheMedianAndFallBackWhenTheIqrIsZero() {
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      // feature 0: 0..100; feature 1: 0 but for two rows (IQR 0); feature 2: never present
      rows.add(new double[] {i, i >= 99 ? 5 : 0, Double.NaN});
    }
    RobustScaler s = RobustScaler.fit(rows);

    assertThat(s.median()[0]).isEqualTo(50);
    assertThat(s.scale()[0]).isCloseTo(50 / 1.349, within(1e-9));
    assertThat(s.scale()[1]).isPositive(); // MAD is 0 too: the standard deviation
    assertThat(s.scale()[2]).isEqualTo(1);
    double[] out = new double[3];
    double[] present = new double[3];
    s.transform(new double[] {1e9, 0, Double.NaN}, out, present);
    assertThat(out).containsExactly(RobustScaler.CLIP, 0, 0);
    assertThat(present).containsExactly(1, 1, 0);
    assertThatThrownBy(() -> s.transform(new double[2], out, present))
        .hasMessageContaining("DNA vector has 2 features, the scaler 3");
    assertThatThrownBy(() -> RobustScaler.fit(List.of())).hasMessageContaining("no DNA vectors");
  }

  /** Vectors that live on a 2-dimensional surface in 8 dimensions, some features absent. */
  static List<double[]> lowRank(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double a = r.nextDouble() * 2 - 1;
      double b = r.nextDouble() * 2 - 1;
      rows.add(new double[] {a, b, a + b, a - b, 0.5 * a, -b, a * b, i % 3 == 0 ? Double.NaN : a});
    }
    return rows;
  }

  @Test
  void autoencoderShouldLearnTheSurfaceAndBeDeterministic() {
    List<double[]> x = lowRank(600, 1);
    List<double[]> m = new ArrayList<>();
    List<double[]> xs = new ArrayList<>();
    for (double[] r : x) {
      double[] v = r.clone();
      double[] p = new double[r.length];
      for (int j = 0; j < r.length; j++) {
        p[j] = Double.isNaN(r[j]) ? 0 : 1;
        v[j] = Double.isNaN(r[j]) ? 0 : r[j];
      }
      xs.add(v);
      m.add(p);
    }
    var settings = new DnaAutoencoder.Settings(16, 2, 1, 32, 0.01, 7);
    DnaAutoencoder untrained = DnaAutoencoder.train(xs, m, settings, e -> {});
    var longer = new DnaAutoencoder.Settings(16, 2, 150, 32, 0.01, 7);
    List<Integer> epochs = new ArrayList<>();
    DnaAutoencoder trained = DnaAutoencoder.train(xs, m, longer, epochs::add);
    DnaAutoencoder again = DnaAutoencoder.train(xs, m, longer, e -> {});

    double before = meanError(untrained, xs, m);
    double after = meanError(trained, xs, m);
    assertThat(after).isLessThan(before / 10);
    assertThat(after).isLessThan(0.01);
    assertThat(epochs).hasSize(150).startsWith(1).endsWith(150);
    assertThat(again.weights()).isDeepEqualTo(trained.weights());
    assertThat(trained.embed(xs.getFirst())).hasSize(2);
    // a vector off the surface reconstructs worse than the ones on it
    double[] off = {1, 1, -2, 2, -1, 1, -1, 0};
    assertThat(trained.reconstructionError(off, ones(8))).isGreaterThan(20 * after);
    assertThatThrownBy(() -> trained.embed(new double[3]))
        .hasMessageContaining("takes 8 features, got 3");
    assertThatThrownBy(() -> DnaAutoencoder.train(List.of(), List.of(), longer, e -> {}))
        .hasMessageContaining("needs vectors");
    assertThatThrownBy(() -> new DnaAutoencoder.Settings(0, 2, 1, 1, 0.1, 1))
        .hasMessageContaining("positive sizes");
  }

  @Test
  void modelShouldRoundTripAndScoreErrorsAndFindNeighbours(@TempDir Path dir) throws Exception {
    DnaModel m = tinyModel();
    Path file = dir.resolve("m").resolve(DnaModel.FILE);
    m.save(file);
    DnaModel back = DnaModel.load(file);

    double[] x = new double[DnaSchema.size()];
    java.util.Arrays.fill(x, Double.NaN);
    x[0] = 3;
    DnaModel.Encoded a = m.encode(x);
    DnaModel.Encoded b = back.encode(x);
    assertThat(b.embedding()).containsExactly(a.embedding());
    assertThat(b.error()).isEqualTo(a.error());
    assertThat(Files.list(file.getParent())).containsExactly(file); // no temporary file left

    assertThat(m.errorScore(0.5)).isZero();
    assertThat(m.errorScore(1.5)).isCloseTo(0.5, within(1e-12));
    assertThat(m.errorScore(99)).isEqualTo(1);
    assertThat(m.nearest(new double[] {0.9, 0}, 2, null))
        .extracting(DnaModel.Neighbour::vm)
        .containsExactly("a", "b");
    assertThat(m.nearest(new double[] {0.9, 0}, 5, "a"))
        .extracting(DnaModel.Neighbour::vm)
        .containsExactly("b", "c");
  }

  @Test
  void aModelOfAnotherSchemaOrABrokenFileShouldBeRefused(@TempDir Path dir) throws Exception {
    DnaModel m = tinyModel();
    assertThatThrownBy(
            () ->
                new DnaModel(
                    1,
                    Dna.FEATURE_NAMES,
                    m.scaler(),
                    m.autoencoder(),
                    m.errorQuantiles(),
                    m.library(),
                    m.oneClass(),
                    m.training()))
        .hasMessageContaining(
            "DNA model is for schema 1 with 15 features; this code computes"
                + " schema 2 with 157");
    assertThatThrownBy(() -> m.encode(Dna.of(1, 0, 1, new double[15])))
        .hasMessageContaining("DNA of schema 1 given to a model of schema 2");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"schemaVersion\": 2, \"featureNames\": [");
    assertThatThrownBy(() -> DnaModel.load(broken))
        .hasMessageContaining("cannot read DNA model " + broken);
  }

  @Test
  void shippedModelShouldLoadAndEmbedAVm() {
    DnaModel m = DnaModel.shipped();
    double[] f =
        new DnaExtractor()
            .features(DnaSeries.of(DnaExtractorTest.samples(300, i -> 20 + i % 12)), 299);

    DnaModel.Encoded e = m.encode(f);

    assertThat(e.embedding()).hasSize(16);
    assertThat(e.error()).isFinite().isPositive();
    assertThat(e.errorScore()).isBetween(0.0, 1.0);
    assertThat(m.library()).hasSize(100);
    assertThat(m.nearest(e.embedding(), 3, null)).hasSize(3);
    assertThat(m.oneClass()).isNotNull();
    assertThat(e.oneClassScore()).isBetween(0.0, 1.0);
  }

  @Test
  void aModelFileFromBeforeTheOneClassSvmShouldLoadWithoutIt(@TempDir Path dir) throws Exception {
    // given the shipped model's file without its one-class SVM, as models were written before it
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var tree =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(DnaModel.class.getResourceAsStream(DnaModel.SHIPPED_RESOURCE));
    assertThat(tree.remove("oneClass")).isNotNull();
    Path old = dir.resolve(DnaModel.FILE);
    json.writeValue(old.toFile(), tree);

    // when it is loaded, then it embeds as the shipped one and has no SVM score
    DnaModel m = DnaModel.load(old);
    double[] f =
        new DnaExtractor()
            .features(DnaSeries.of(DnaExtractorTest.samples(300, i -> 20 + i % 12)), 299);
    assertThat(m.oneClass()).isNull();
    assertThat(m.encode(f).oneClassScore()).isNaN();
    assertThat(m.encode(f).embedding()).containsExactly(DnaModel.shipped().encode(f).embedding());
  }

  private static double meanError(DnaAutoencoder ae, List<double[]> x, List<double[]> m) {
    double s = 0;
    for (int i = 0; i < x.size(); i++) {
      s += ae.reconstructionError(x.get(i), m.get(i));
    }
    return s / x.size();
  }

  private static double[] ones(int n) {
    double[] v = new double[n];
    java.util.Arrays.fill(v, 1);
    return v;
  }

  /** A model over the real schema with a 2-number embedding and three library VMs. */
  static DnaModel tinyModel() {
    int d = DnaSchema.size();
    List<double[]> rows = new ArrayList<>();
    List<double[]> masks = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 20; i++) {
      double[] v = new double[d];
      double[] p = new double[d];
      for (int j = 0; j < d; j++) {
        v[j] = r.nextDouble();
        p[j] = 1;
      }
      rows.add(v);
      masks.add(p);
    }
    double[] median = new double[d];
    double[] scale = new double[d];
    java.util.Arrays.fill(scale, 1);
    double[] q = new double[101];
    for (int i = 0; i <= 100; i++) {
      q[i] = 1 + i / 100.0; // errors spread evenly from 1 to 2
    }
    return new DnaModel(
        DnaSchema.VERSION,
        DnaSchema.NAMES,
        new RobustScaler(median, scale),
        DnaAutoencoder.train(
            rows, masks, new DnaAutoencoder.Settings(4, 2, 1, 8, 0.01, 1), e -> {}),
        q,
        List.of(
            new DnaModel.LibraryEntry("a", new double[] {1, 0}),
            new DnaModel.LibraryEntry("b", new double[] {0, 0}),
            new DnaModel.LibraryEntry("c", new double[] {-1, -1})),
        null,
        new DnaModel.Training(
            List.of("t"), 1, "00", 20, 36, DnaAutoencoder.Settings.defaults(), Map.of("x", 1.0)));
  }
}
