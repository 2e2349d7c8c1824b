package io.vmdna.models.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void shouldRefuseNanAndAnEmptyCapacity() {
    assertThatThrownBy(() -> new SortedWindow(0)).hasMessageContaining("capacity must be >= 1");
    assertThatThrownBy(() -> new SortedWindow(3).add(Double.NaN)).hasMessageContaining("no NaN");
  }
}
