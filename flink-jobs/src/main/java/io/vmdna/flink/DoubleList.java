package io.vmdna.flink;

import java.io.Serializable;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable {@code List<Double>} over a {@code double[]}: a DNA embedding that crosses the job's
 * operators with every profile without a {@code Double} per number. JFR put the boxes of the
 * embedding at a third of what the host operator allocated (~1.1 KB per sample) when it was a
 * {@code List.of(Double...)}; a value is boxed here only when it is read through {@link #get}.
 * Equal to any list of the same values ({@link AbstractList#equals}). Thread-safe (immutable).
 */
final class DoubleList extends AbstractList<Double> implements RandomAccess, Serializable {
  private static final long serialVersionUID = 1L;
  private final double[] values;

  private DoubleList(double[] values) {
    this.values = values;
  }

  /** A list that owns {@code values}: the caller must not write them afterwards. */
  static DoubleList owning(double[] values) {
    return new DoubleList(values);
  }

  /**
   * The values of {@code list}, this list itself when it already is one.
   *
   * @throws NullPointerException for a null element, as {@link List#copyOf} would
   */
  static DoubleList copyOf(List<Double> list) {
    if (list instanceof DoubleList d) {
      return d;
    }
    double[] v = new double[list.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = list.get(i);
    }
    return new DoubleList(v);
  }

  /** The value at {@code index}, unboxed. */
  double getDouble(int index) {
    return values[index];
  }

  @Override
  public Double get(int index) {
    return values[index];
  }

  @Override
  public int size() {
    return values.length;
  }
}
