package io.vmdna.models.dna;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DnaAutoencoderTest {
  /** One layer the plain way: each output summed from its bias in input order. */
  private static double[] layer(double[] w, double[] b, double[] in, boolean linear) {
    double[] out = new double[b.length];
    for (int o = 0; o < b.length; o++) {
      double s = b[o];
      for (int i = 0; i < in.length; i++) {
        s += w[o * in.length + i] * in[i];
      }
      out[o] = linear ? s : Math.tanh(s);
    }
    return out;
  }

  @Test
  void theBlockedLayersShouldGiveWhatOneRowAtATimeGives() {
    // given widths that are not multiples of the block of four (the remainder rows run too)
    Random rnd = new Random(3);
    int[] dims = {11, 7, 3, 7, 11};
    double[][] w = new double[4][];
    double[][] b = new double[4][];
    for (int l = 0; l < 4; l++) {
      w[l] = rnd.doubles(dims[l] * dims[l + 1], -1, 1).toArray();
      b[l] = rnd.doubles(dims[l + 1], -0.5, 0.5).toArray();
    }
    DnaAutoencoder net = new DnaAutoencoder(dims, w, b);

    for (int n = 0; n < 50; n++) {
      double[] x = rnd.doubles(11, -3, 3).toArray();
      double[] present = new double[11];
      java.util.Arrays.fill(present, 1);

      // when
      DnaAutoencoder.Pass pass = net.pass(x, present);

      // then the embedding and the reconstruction are the plain computation's, bit for bit
      double[] h1 = layer(w[0], b[0], x, false);
      double[] emb = layer(w[1], b[1], h1, false);
      double[] rec = layer(w[3], b[3], layer(w[2], b[2], emb, false), true);
      double err = 0;
      for (int i = 0; i < 11; i++) {
        err += (rec[i] - x[i]) * (rec[i] - x[i]);
      }
      assertThat(pass.embedding()).containsExactly(emb);
      assertThat(pass.error()).isCloseTo(err / 11, org.assertj.core.api.Assertions.within(1e-12));
    }
  }
}
