package io.vmdna.models.anomaly;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The last {@code capacity} values of a stream, kept both in arrival order and sorted, so order
 * statistics (min, max, quantiles, median, spread) of a sliding window cost O(1) to read and O(n)
 * element moves (no comparisons beyond a binary search) to update, instead of a sort per sample.
 *
 * <p>Values are kept as {@code float} (about seven significant digits, plenty for metrics and
 * detector statistics) to halve the memory of a VM's windows in a streaming job; every reader sees
 * the rounded value, so a window restored from {@link #write} answers exactly as before.
 *
 * <p>Not thread-safe.
 */
final class SortedWindow {
  private final float[] ring;
  private final float[] sorted;
  private int next;
  private int count;

  /** A window of at most {@code capacity} values (at least 1). */
  SortedWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    ring = new float[capacity];
    sorted = new float[capacity];
  }

  /** The most values held. */
  int capacity() {
    return ring.length;
  }

  /** Values held. */
  int size() {
    return count;
  }

  /** Adds a value (not NaN), dropping the oldest when full. */
  void add(double v) {
    if (Double.isNaN(v)) {
      throw new IllegalArgumentException("a sorted window holds no NaN");
    }
    if (count == ring.length) {
      int at = Arrays.binarySearch(sorted, 0, count, ring[next]);
      System.arraycopy(sorted, at + 1, sorted, at, count - at - 1);
      count--;
    }
    float f = (float) v;
    ring[next] = f;
    next = (next + 1) % ring.length;
    int at = Arrays.binarySearch(sorted, 0, count, f);
    int ins = at >= 0 ? at : -at - 1;
    System.arraycopy(sorted, ins, sorted, ins + 1, count - ins);
    sorted[ins] = f;
    count++;
  }

  /** The {@code i}-th smallest value, 0-based ({@code i < size()}). */
  double get(int i) {
    return sorted[i];
  }

  /** The smallest value (the window must not be empty). */
  double min() {
    return sorted[0];
  }

  /** The largest value (the window must not be empty). */
  double max() {
    return sorted[count - 1];
  }

  /** The value at rank {@code floor(q · (size − 1))}, q in [0, 1]. */
  double lower(double q) {
    return sorted[(int) Math.floor(q * (count - 1))];
  }

  /** The value at rank {@code ceil(q · (size − 1))}, q in [0, 1]. */
  double upper(double q) {
    return sorted[(int) Math.ceil(q * (count - 1))];
  }

  /** The median. */
  double median() {
    int m = count / 2;
    return count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  /** The robust standard deviation: the interquartile range over 1.349 (exact for a normal). */
  double robustSd() {
    return (upper(0.75) - lower(0.25)) / 1.349;
  }

  /**
   * The median absolute deviation from {@code center}: the k-th smallest distance found by a merge
   * from {@code center} outwards over the sorted values, O(size) without sorting.
   */
  double mad(double center) {
    int k = count / 2; // the (k+1)-th smallest distance is the median for odd counts
    int hi = countBelow(center); // first index >= center
    int lo = hi - 1;
    double last = 0;
    double prev = 0;
    for (int taken = 0; taken <= k; taken++) {
      double dl = lo >= 0 ? center - sorted[lo] : Double.POSITIVE_INFINITY;
      double dh = hi < count ? sorted[hi] - center : Double.POSITIVE_INFINITY;
      prev = last;
      if (dl <= dh) {
        last = dl;
        lo--;
      } else {
        last = dh;
        hi++;
      }
    }
    return count % 2 == 1 ? last : (prev + last) / 2;
  }

  /**
   * Writes the window: its capacity, then its values oldest first (4 bytes each; the sorted copy is
   * rebuilt by {@link #read}).
   */
  void write(DataOutput out) throws IOException {
    out.writeInt(ring.length);
    out.writeInt(count);
    int first = count == ring.length ? next : 0;
    for (int i = 0; i < count; i++) {
      out.writeFloat(ring[(first + i) % ring.length]);
    }
  }

  /**
   * Reads a window {@link #write} wrote; it answers every question as the written one did.
   *
   * @throws IOException if the input is cut short or holds a count beyond the capacity or a NaN
   */
  static SortedWindow read(DataInput in) throws IOException {
    int capacity = in.readInt();
    int count = in.readInt();
    if (capacity < 1 || count < 0 || count > capacity) {
      throw new IOException(
          "sorted window: bad capacity %d or count %d".formatted(capacity, count));
    }
    SortedWindow w = new SortedWindow(capacity);
    for (int i = 0; i < count; i++) {
      float v = in.readFloat();
      if (Float.isNaN(v)) {
        throw new IOException("sorted window: NaN at value " + i);
      }
      w.ring[i] = v;
    }
    w.count = count;
    w.next = count % capacity;
    System.arraycopy(w.ring, 0, w.sorted, 0, count);
    Arrays.sort(w.sorted, 0, count);
    return w;
  }

  /** The rank of the first value at least {@code v}: how many values are smaller. */
  int countBelow(double v) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) { // a float widened to double exactly
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
