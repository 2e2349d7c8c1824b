package io.vmdna.models.dna;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * A small autoencoder in plain Java that learns the DNA's compact embedding: scaled DNA ({@code d})
 * → {@code hidden} (tanh) → {@code embedding} (tanh) → {@code hidden} (tanh) → {@code d} (linear).
 * Trained with Adam on mean squared reconstruction error over the <em>present</em> features only
 * (an absent feature is input as 0, the fleet median, and never a target), so a VM without flow
 * records or application metrics is not taught to reproduce zeros.
 *
 * <p>The embedding is the middle layer (values in (−1, 1)); the reconstruction error of a vector is
 * itself an anomaly signal: a DNA unlike the fleet's reconstructs badly.
 *
 * <p>Training is deterministic for a seed (one thread, seeded initialisation and shuffling).
 * Instances are immutable after training; {@link #embed} and {@link #reconstructionError} allocate
 * their buffers per call, so they are thread-safe.
 *
 * @param dims layer widths, e.g. {@code [157, 64, 16, 64, 157]}; the middle one is the embedding
 * @param weights per layer {@code l}, row-major {@code dims[l+1] × dims[l]}
 * @param biases per layer, {@code dims[l+1]}
 */
public record DnaAutoencoder(int[] dims, double[][] weights, double[][] biases) {

  /** Checks the shapes. */
  public DnaAutoencoder {
    if (dims.length < 3 || dims.length % 2 == 0 || dims[0] != dims[dims.length - 1]) {
      throw new IllegalArgumentException(
          "autoencoder layers must be symmetric with an odd count, were "
              + java.util.Arrays.toString(dims));
    }
    if (weights.length != dims.length - 1 || biases.length != dims.length - 1) {
      throw new IllegalArgumentException("autoencoder needs one weight matrix per layer");
    }
    for (int l = 0; l < weights.length; l++) {
      if (weights[l].length != dims[l] * dims[l + 1] || biases[l].length != dims[l + 1]) {
        throw new IllegalArgumentException(
            "autoencoder layer %d: %d weights and %d biases for %d → %d"
                .formatted(l, weights[l].length, biases[l].length, dims[l], dims[l + 1]));
      }
    }
  }

  /**
   * Training settings.
   *
   * @param hidden width of the hidden layers
   * @param embedding width of the embedding
   * @param epochs passes over the data
   * @param batch vectors per Adam step
   * @param learningRate Adam's step size
   * @param seed initialisation and shuffling seed
   */
  public record Settings(
      int hidden, int embedding, int epochs, int batch, double learningRate, long seed) {
    /** Validates. */
    public Settings {
      if (hidden < 1 || embedding < 1 || epochs < 1 || batch < 1 || !(learningRate > 0)) {
        throw new IllegalArgumentException(
            "autoencoder settings need positive sizes, epochs, batch and learning rate");
      }
    }

    /** 64 hidden, 16 embedding, 40 epochs, batches of 64, learning rate 0.002, seed 1. */
    public static Settings defaults() {
      return new Settings(64, 16, 40, 64, 0.002, 1);
    }
  }

  /** Width of the embedding. */
  public int embeddingSize() {
    return dims[dims.length / 2];
  }

  /** The embedding of a scaled vector (absent features already 0). */
  public double[] embed(double[] scaled) {
    double[][] act = forward(scaled);
    return act[dims.length / 2].clone();
  }

  /**
   * Mean squared error of the reconstruction over present features; NaN if none is present.
   *
   * @param scaled the scaled vector
   * @param present 1 where a feature is present, 0 where absent
   */
  public double reconstructionError(double[] scaled, double[] present) {
    return error(forward(scaled), scaled, present);
  }

  /**
   * The embedding and the reconstruction error of one vector from a single pass through the network
   * (the same numbers as {@link #embed} and {@link #reconstructionError}, half the work).
   *
   * @param embedding the middle layer's activations
   * @param error the masked mean squared reconstruction error; NaN if no feature is present
   */
  public record Pass(double[] embedding, double error) {}

  /** {@link #embed} and {@link #reconstructionError} in one forward pass. */
  public Pass pass(double[] scaled, double[] present) {
    double[][] act = forward(scaled);
    return new Pass(act[dims.length / 2].clone(), error(act, scaled, present));
  }

  private static double error(double[][] act, double[] scaled, double[] present) {
    double[] y = act[act.length - 1];
    double sum = 0;
    double n = 0;
    for (int j = 0; j < y.length; j++) {
      double e = y[j] - scaled[j];
      sum += present[j] * e * e;
      n += present[j];
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private double[][] forward(double[] x) {
    if (x.length != dims[0]) {
      throw new IllegalArgumentException(
          "autoencoder takes %d features, got %d".formatted(dims[0], x.length));
    }
    double[][] act = new double[dims.length][];
    act[0] = x;
    for (int l = 0; l < weights.length; l++) {
      act[l + 1] = layer(l, act[l]);
    }
    return act;
  }

  private double[] layer(int l, double[] in) {
    int nin = dims[l];
    int nout = dims[l + 1];
    double[] w = weights[l];
    double[] out = new double[nout];
    boolean linear = l == weights.length - 1;
    double[] b = biases[l];
    int o = 0;
    // four rows at a time: four independent sums, so the additions overlap instead of each
    // waiting for the one before; each row is still summed from its bias in input order, so the
    // result is the same to the last bit as one row at a time
    for (; o + 3 < nout; o += 4) {
      double s0 = b[o];
      double s1 = b[o + 1];
      double s2 = b[o + 2];
      double s3 = b[o + 3];
      int r0 = o * nin;
      int r1 = r0 + nin;
      int r2 = r1 + nin;
      int r3 = r2 + nin;
      for (int i = 0; i < nin; i++) {
        double x = in[i];
        s0 += w[r0 + i] * x;
        s1 += w[r1 + i] * x;
        s2 += w[r2 + i] * x;
        s3 += w[r3 + i] * x;
      }
      out[o] = linear ? s0 : Math.tanh(s0);
      out[o + 1] = linear ? s1 : Math.tanh(s1);
      out[o + 2] = linear ? s2 : Math.tanh(s2);
      out[o + 3] = linear ? s3 : Math.tanh(s3);
    }
    for (; o < nout; o++) {
      double s = b[o];
      int row = o * nin;
      for (int i = 0; i < nin; i++) {
        s += w[row + i] * in[i];
      }
      out[o] = linear ? s : Math.tanh(s);
    }
    return out;
  }

  /**
   * Trains an autoencoder.
   *
   * @param scaled scaled training vectors (absent features 0)
   * @param present their presence masks
   * @param s settings
   * @param epochDone called after each epoch with the epoch number (1-based); may be a no-op
   * @return the trained network
   * @throws IllegalArgumentException if there are no vectors or the lists differ in length
   */
  public static DnaAutoencoder train(
      List<double[]> scaled, List<double[]> present, Settings s, IntConsumer epochDone) {
    if (scaled.isEmpty() || scaled.size() != present.size()) {
      throw new IllegalArgumentException(
          "autoencoder needs vectors and one mask each, got %d and %d"
              .formatted(scaled.size(), present.size()));
    }
    int d = scaled.getFirst().length;
    int[] dims = {d, s.hidden(), s.embedding(), s.hidden(), d};
    int layers = dims.length - 1;
    SplittableRandom rnd = new SplittableRandom(s.seed());
    double[][] w = new double[layers][];
    double[][] b = new double[layers][];
    for (int l = 0; l < layers; l++) {
      w[l] = new double[dims[l] * dims[l + 1]];
      b[l] = new double[dims[l + 1]];
      double limit = Math.sqrt(6.0 / (dims[l] + dims[l + 1]));
      for (int i = 0; i < w[l].length; i++) {
        w[l][i] = (rnd.nextDouble() * 2 - 1) * limit;
      }
    }
    DnaAutoencoder net = new DnaAutoencoder(dims, w, b);
    new Adam(net, s.learningRate()).run(scaled, present, s, rnd, epochDone);
    return net;
  }

  /** Mini-batch Adam with backpropagation; mutates the network it was given (during training). */
  private static final class Adam {
    private final DnaAutoencoder net;
    private final double lr;
    private final double[][] gw;
    private final double[][] gb;
    private final double[][] mw;
    private final double[][] vw;
    private final double[][] mb;
    private final double[][] vb;
    private long step;

    Adam(DnaAutoencoder net, double lr) {
      this.net = net;
      this.lr = lr;
      int layers = net.weights.length;
      gw = new double[layers][];
      gb = new double[layers][];
      mw = new double[layers][];
      vw = new double[layers][];
      mb = new double[layers][];
      vb = new double[layers][];
      for (int l = 0; l < layers; l++) {
        gw[l] = new double[net.weights[l].length];
        mw[l] = new double[net.weights[l].length];
        vw[l] = new double[net.weights[l].length];
        gb[l] = new double[net.biases[l].length];
        mb[l] = new double[net.biases[l].length];
        vb[l] = new double[net.biases[l].length];
      }
    }

    void run(
        List<double[]> x,
        List<double[]> mask,
        Settings s,
        SplittableRandom rnd,
        IntConsumer epochDone) {
      int n = x.size();
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      for (int epoch = 1; epoch <= s.epochs(); epoch++) {
        for (int i = n - 1; i > 0; i--) {
          int j = rnd.nextInt(i + 1);
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
        for (int start = 0; start < n; start += s.batch()) {
          int end = Math.min(n, start + s.batch());
          for (int l = 0; l < gw.length; l++) {
            java.util.Arrays.fill(gw[l], 0);
            java.util.Arrays.fill(gb[l], 0);
          }
          for (int k = start; k < end; k++) {
            backprop(x.get(order[k]), mask.get(order[k]));
          }
          apply(end - start);
        }
        epochDone.accept(epoch);
      }
    }

    private void backprop(double[] x, double[] present) {
      double[][] act = net.forward(x);
      int layers = net.weights.length;
      double[] out = act[layers];
      double count = 0;
      for (double p : present) {
        count += p;
      }
      if (count == 0) {
        return;
      }
      // d loss / d output, loss = mean over present features of squared error
      double[] delta = new double[out.length];
      for (int j = 0; j < out.length; j++) {
        delta[j] = present[j] * 2 * (out[j] - x[j]) / count;
      }
      for (int l = layers - 1; l >= 0; l--) {
        int nin = net.dims[l];
        int nout = net.dims[l + 1];
        double[] in = act[l];
        double[] w = net.weights[l];
        double[] prev = l == 0 ? null : new double[nin];
        for (int o = 0; o < nout; o++) {
          double d = delta[o];
          if (d == 0) {
            continue;
          }
          gb[l][o] += d;
          int row = o * nin;
          for (int i = 0; i < nin; i++) {
            gw[l][row + i] += d * in[i];
            if (prev != null) {
              prev[i] += d * w[row + i];
            }
          }
        }
        if (prev != null) {
          for (int i = 0; i < nin; i++) {
            prev[i] *= 1 - in[i] * in[i]; // tanh'
          }
          delta = prev;
        }
      }
    }

    private void apply(int batch) {
      step++;
      double b1 = 0.9;
      double b2 = 0.999;
      double c1 = 1 - Math.pow(b1, step);
      double c2 = 1 - Math.pow(b2, step);
      for (int l = 0; l < gw.length; l++) {
        update(net.weights[l], gw[l], mw[l], vw[l], batch, b1, b2, c1, c2);
        update(net.biases[l], gb[l], mb[l], vb[l], batch, b1, b2, c1, c2);
      }
    }

    private void update(
        double[] p,
        double[] g,
        double[] m,
        double[] v,
        int batch,
        double b1,
        double b2,
        double c1,
        double c2) {
      for (int i = 0; i < p.length; i++) {
        double gi = g[i] / batch;
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8);
      }
    }
  }
}
