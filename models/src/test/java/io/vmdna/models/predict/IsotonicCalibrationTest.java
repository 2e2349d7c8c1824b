package io.vmdna.models.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class IsotonicCalibrationTest {

  @Test
  void shouldMapRawScoresToObservedFrequencies() {
    // given a classifier that says 0.2 when the event happens half the time, 0.6 when always
    float[] raw = new float[400];
    boolean[] happened = new boolean[400];
    for (int i = 0; i < 200; i++) {
      raw[i] = 0.2f;
      happened[i] = i % 2 == 0;
      raw[200 + i] = 0.6f;
      happened[200 + i] = true;
    }

    // when
    IsotonicCalibration c = IsotonicCalibration.fit(raw, happened);

    // then
    assertThat(c.apply(0.2)).isCloseTo(0.5, offset(1e-6));
    assertThat(c.apply(0.6)).isCloseTo(1.0, offset(1e-6));
    assertThat(c.apply(0.4)).isCloseTo(0.75, offset(1e-6));
    assertThat(c.apply(0.0)).isCloseTo(0.5, offset(1e-6));
  }

  @Test
  void shouldBeMonotoneOnNoisyData() {
    Random r = new Random(7);
    float[] raw = new float[5000];
    boolean[] happened = new boolean[5000];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = r.nextFloat();
      happened[i] = r.nextDouble() < raw[i] * raw[i];
    }

    IsotonicCalibration c = IsotonicCalibration.fit(raw, happened);

    double prev = -1;
    for (int i = 0; i <= 100; i++) {
      double p = c.apply(i / 100.0);
      assertThat(p).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(prev);
      prev = p;
    }
    assertThat(c.apply(0.5)).isCloseTo(0.25, offset(0.08));
  }

  @Test
  void shouldRejectMismatchedSteps() {
    assertThatThrownBy(() -> new IsotonicCalibration(new double[] {0, 1}, new double[] {0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 and 1");
  }

  @Test
  void shouldTableReliabilityPerBin() {
    ReliabilityTable t = new ReliabilityTable(10);
    t.add(0.05, false);
    t.add(0.05, true);
    t.add(0.95, true);

    assertThat(t.bins()).hasSize(2);
    assertThat(t.bins().getFirst().observed()).isEqualTo(0.5);
    assertThat(t.bins().getLast().count()).isEqualTo(1);
    assertThat(t.expectedCalibrationError()).isCloseTo((0.9 + 0.05) / 3, offset(1e-6));
    assertThatThrownBy(() -> new ReliabilityTable(0)).hasMessageContaining("at least 1 bin");
  }
}
