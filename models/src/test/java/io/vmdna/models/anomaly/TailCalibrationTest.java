package io.vmdna.models.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TailCalibrationTest {

  @Test
  void shouldLetADelayedStatisticJoinThePastOnlyAfterTheDelay() {
    // given two calibrations of the same calm past, one delayed by 10 statistics
    TailCalibration now = new TailCalibration(100, 20, 0.5);
    TailCalibration later = new TailCalibration(100, 20, 0.5, 10);
    TailCalibration calmOnly = new TailCalibration(100, 20, 0.5);
    Random r = new Random(1);
    for (int i = 0; i < 50; i++) {
      double s = Math.abs(r.nextGaussian());
      now.add(s);
      later.add(s);
      if (i < 48) {
        calmOnly.add(s); // what the delayed past holds after 8 more
      }
    }

    // when a statistic grows slowly, a step at a time
    for (int i = 0; i < 8; i++) {
      now.add(3 + i * 0.5);
      later.add(3 + i * 0.5);
    }

    // then the undelayed past has learnt the growth; the delayed one holds only calm statistics
    assertThat(later.pValue(6)).isEqualTo(calmOnly.pValue(6));
    assertThat(now.pValue(6)).isGreaterThan(100 * later.pValue(6));
  }

  @Test
  void shouldAnswerAlikeAfterBeingWrittenAndReadWithStatisticsWaiting() throws IOException {
    TailCalibration a = new TailCalibration(200, 20, 0.5, 30);
    Random r = new Random(2);
    for (int i = 0; i < 77; i++) {
      a.add(Math.abs(r.nextGaussian()) * 2);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    a.write(new DataOutputStream(bytes));
    TailCalibration b = new TailCalibration(200, 20, 0.5, 30);
    b.readPast(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

    for (int i = 0; i < 100; i++) {
      double s = Math.abs(r.nextGaussian()) * 2 + i * 0.05;
      assertThat(b.pValue(s)).as("statistic %d", i).isEqualTo(a.pValue(s));
      a.add(s);
      b.add(s);
    }
  }

  @Test
  void shouldRefuseStateOfAnotherDelayOrANegativeDelay() throws IOException {
    TailCalibration a = new TailCalibration(100, 20, 0.5, 30);
    for (int i = 0; i < 40; i++) {
      a.add(i);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    a.write(new DataOutputStream(bytes));
    TailCalibration shorter = new TailCalibration(100, 20, 0.5, 5);
    assertThatThrownBy(
            () ->
                shorter.readPast(
                    new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("30 statistics waiting, at most 5");
    assertThatThrownBy(() -> new TailCalibration(100, 20, 0.5, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("delay >= 0");
  }
}
