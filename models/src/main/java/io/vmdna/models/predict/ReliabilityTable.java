package io.vmdna.models.predict;

import io.vmdna.models.predict.ModelManifest.ReliabilityBin;
import java.util.ArrayList;
import java.util.List;

/**
 * Accumulates predicted probabilities and outcomes into equal-width bins: a calibrated forecaster
 * has, in every bin, an observed frequency close to its mean predicted probability. Not
 * thread-safe.
 */
public final class ReliabilityTable {
  private final long[] count;
  private final double[] sumP;
  private final long[] hits;

  /** A table with {@code bins} equal-width bins over [0, 1]. */
  public ReliabilityTable(int bins) {
    if (bins < 1) {
      throw new IllegalArgumentException("a reliability table needs at least 1 bin, got " + bins);
    }
    count = new long[bins];
    sumP = new double[bins];
    hits = new long[bins];
  }

  /** Adds one forecast. */
  public void add(double p, boolean happened) {
    int b = Math.min(count.length - 1, Math.max(0, (int) (p * count.length)));
    count[b]++;
    sumP[b] += p;
    hits[b] += happened ? 1 : 0;
  }

  /** Adds another table's counts (same bins). */
  public void addAll(ReliabilityTable o) {
    for (int b = 0; b < count.length; b++) {
      count[b] += o.count[b];
      sumP[b] += o.sumP[b];
      hits[b] += o.hits[b];
    }
  }

  /** The non-empty bins. */
  public List<ReliabilityBin> bins() {
    List<ReliabilityBin> out = new ArrayList<>();
    for (int b = 0; b < count.length; b++) {
      if (count[b] > 0) {
        out.add(
            new ReliabilityBin(
                (double) b / count.length,
                (double) (b + 1) / count.length,
                count[b],
                sumP[b] / count[b],
                (double) hits[b] / count[b]));
      }
    }
    return out;
  }

  /** Brier-like summary: count-weighted mean |observed − predicted| over the bins. */
  public double expectedCalibrationError() {
    long n = 0;
    double e = 0;
    for (int b = 0; b < count.length; b++) {
      if (count[b] > 0) {
        n += count[b];
        e += Math.abs((double) hits[b] - sumP[b]);
      }
    }
    return n == 0 ? Double.NaN : e / n;
  }
}
