package io.vmdna.models.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SortedWindowTest {
  @Test
  void shouldHoldTheLastValuesSortedAsASortOfThemWould() {
    SortedWindow w = new SortedWindow(50);
    Deque<Double> last = new ArrayDeque<>();
    Random r = new Random(2);
    for (int i = 0; i < 1000; i++) {
      // repeated values and both zeros, to exercise removal of equal values
      double v = i % 7 == 0 ? 0.0 : i % 11 == 0 ? -0.0 : Math.round(r.nextGaussian() * 5);
      w.add(v);
      last.addLast(v);
      if (last.size() > 50) {
        last.removeFirst();
      }
      double[] expected = last.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      assertThat(w.size()).isEqualTo(expected.length);
      for (int k = 0; k < expected.length; k++) {
        assertThat(w.get(k)).isEqualTo(expected[k]);
      }
    }
    double[] e = last.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    assertThat(w.min()).isEqualTo(e[0]);
    assertThat(w.max()).isEqualTo(e[49]);
    assertThat(w.median()).isEqualTo((e[24] + e[25]) / 2);
    assertThat(w.lower(0.05)).isEqualTo(e[2]);
    assertThat(w.upper(0.95)).isEqualTo(e[47]);
    assertThat(w.robustSd()).isEqualTo((e[37] - e[12]) / 1.349);
    assertThat(w.countBelow(e[10]))
        .isEqualTo((int) Arrays.stream(e).filter(v -> v < e[10]).count());
  }

  @Test
  void shouldAnswerTheSameAfterBeingWrittenAndReadBackPartFullOrFull() throws IOException {
    for (int fill : new int[] {0, 7, 50, 137}) {
      SortedWindow w = new SortedWindow(50);
      Random r = new Random(fill);
      for (int i = 0; i < fill; i++) {
        w.add(Math.round(r.nextGaussian() * 5));
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      w.write(new DataOutputStream(bytes));
      SortedWindow copy =
          SortedWindow.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

      assertThat(bytes.size()).isEqualTo(8 + 4 * Math.min(fill, 50));
      for (int i = 0; i < 60; i++) { // the same values leave in the same order
        double v = r.nextGaussian();
        w.add(v);
        copy.add(v);
        assertThat(copy.size()).isEqualTo(w.size());
        for (int k = 0; k < w.size(); k++) {
          assertThat(copy.get(k)).isEqualTo(w.get(k));
        }
      }
    }
  }

  @Test
  void shouldRefuseToReadAWindowThatCannotBe() {
    assertThatThrownBy(() -> SortedWindow.read(input(50, 51)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bad capacity 50 or count 51");
    assertThatThrownBy(() -> SortedWindow.read(input(2, 1, Float.NaN)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("NaN at value 0");
    assertThatThrownBy(() -> SortedWindow.read(input(2, 2, 1f)))
        .isInstanceOf(java.io.EOFException.class);
  }

  private static DataInputStream input(int capacity, int count, float... values)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(capacity);
    out.writeInt(count);
    for (float v : values) {
      out.writeFloat(v);
    }
    return new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
  }

  @Test
  void shouldRefuseNanAndAnEmptyCapacity() {
    assertThatThrownBy(() -> new SortedWindow(0)).hasMessageContaining("capacity must be >= 1");
    assertThatThrownBy(() -> new SortedWindow(3).add(Double.NaN)).hasMessageContaining("no NaN");
  }
}
