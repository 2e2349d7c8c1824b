package io.vmdna.models.anomaly;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Calibrates one detector's statistic against the same statistic's own recent past, so that a
 * volatile VM and a calm one alarm equally rarely: the p-value of a new statistic {@code s} is the
 * share of past statistics at least as large, and beyond the past's 98th percentile {@code u} an
 * exponential tail fitted to the exceedances (peaks over threshold, as in Siffer et al., "Anomaly
 * Detection in Streams with Extreme Value Theory", KDD 2017): {@code P(S ≥ s) = share(S > u) ·
 * exp(−(s − u) / σ)}, {@code σ} the mean exceedance (at least a floor).
 *
 * <p>The past is a {@link SortedWindow} of the last {@code window} statistics, so the tail is
 * refitted on every p-value at the cost of reading the top 2 %; until {@code minHistory} statistics
 * were seen every p-value is 1.
 *
 * <p>With a {@code delay}, a statistic joins the past only {@code delay} statistics after it came:
 * the p-value of a slowly growing statistic (a drift) is then taken against the past before the
 * change began, instead of against the change's own first hours, which would teach the calibration
 * that ever larger values are normal.
 *
 * <p>Not thread-safe: one instance per detector and feature.
 */
final class TailCalibration {
  /** The share of the past above the tail's start. */
  static final double TAIL = 0.02;

  private SortedWindow past;
  private final int minHistory;
  private final double sigmaFloor;
  private final float[] pending; // statistics not yet in the past, oldest at `head`
  private int head;
  private int waiting;

  /**
   * A calibration.
   *
   * @param window past statistics kept
   * @param minHistory statistics needed before the first p-value below 1
   * @param sigmaFloor the smallest tail scale, in the statistic's unit (a past that never varied
   *     would otherwise make any small rise infinitely unlikely)
   */
  TailCalibration(int window, int minHistory, double sigmaFloor) {
    this(window, minHistory, sigmaFloor, 0);
  }

  /**
   * A calibration whose past lags the statistics by {@code delay}.
   *
   * @param window past statistics kept
   * @param minHistory statistics needed in the past before the first p-value below 1
   * @param sigmaFloor the smallest tail scale, in the statistic's unit
   * @param delay statistics that wait before they join the past (0: at once)
   */
  TailCalibration(int window, int minHistory, double sigmaFloor, int delay) {
    if (window < minHistory || minHistory < 2) {
      throw new IllegalArgumentException(
          "need window >= minHistory >= 2, were %d, %d".formatted(window, minHistory));
    }
    this.past = new SortedWindow(window);
    this.minHistory = minHistory;
    this.sigmaFloor = sigmaFloor;
    if (delay < 0) {
      throw new IllegalArgumentException("need delay >= 0, was " + delay);
    }
    this.pending = new float[delay];
  }

  /** Whether enough statistics were seen to give p-values below 1. */
  boolean ready() {
    return past.size() >= minHistory;
  }

  /** P(S ≥ s) under the past statistics (1 before {@link #ready()}); does not add s. */
  double pValue(double s) {
    if (!ready()) {
      return 1;
    }
    int n = past.size();
    double u = past.lower(1 - TAIL);
    if (s <= u) {
      return (n - past.countBelow(s) + 1.0) / (n + 1.0);
    }
    double excess = 0;
    int k = 0;
    for (int i = n - 1; i >= 0 && past.get(i) > u; i--) {
      excess += past.get(i) - u;
      k++;
    }
    double sigma = Math.max(sigmaFloor, k == 0 ? 0 : excess / k);
    return (k + 1.0) / (n + 1.0) * Math.exp(-(s - u) / sigma);
  }

  /**
   * Writes the past statistics and, with a delay, those still waiting (4 bytes each; the settings
   * are the constructor's).
   */
  void write(DataOutput out) throws IOException {
    past.write(out);
    if (pending.length > 0) {
      out.writeInt(waiting);
      for (int i = 0; i < waiting; i++) {
        out.writeFloat(pending[(head + i) % pending.length]);
      }
    }
  }

  /**
   * Replaces the past (and the waiting statistics) with what {@link #write} wrote for a calibration
   * of the same window and delay.
   *
   * @throws IOException if the input is malformed or was written for another window size or delay
   */
  void readPast(DataInput in) throws IOException {
    SortedWindow w = SortedWindow.read(in);
    if (w.capacity() != past.capacity()) {
      throw new IOException(
          "calibration: window of %d statistics, expected %d"
              .formatted(w.capacity(), past.capacity()));
    }
    past = w;
    if (pending.length > 0) {
      int count = in.readInt();
      if (count < 0 || count > pending.length) {
        throw new IOException(
            "calibration: %d statistics waiting, at most %d".formatted(count, pending.length));
      }
      for (int i = 0; i < count; i++) {
        pending[i] = in.readFloat();
      }
      head = 0;
      waiting = count;
    }
  }

  /** Adds a statistic to the past (a NaN is ignored). */
  void add(double s) {
    if (Double.isNaN(s)) {
      return;
    }
    if (pending.length == 0) {
      past.add(s);
    } else if (waiting == pending.length) {
      past.add(pending[head]);
      pending[head] = (float) s; // the past holds floats: rounding now changes nothing
      head = (head + 1) % pending.length;
    } else {
      pending[(head + waiting) % pending.length] = (float) s;
      waiting++;
    }
  }
}
