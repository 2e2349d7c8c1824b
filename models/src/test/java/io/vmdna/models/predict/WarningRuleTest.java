package io.vmdna.models.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.eval.ForecastEvaluation;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WarningRuleTest {

  @Test
  void quietSamplesFollowTheOnsetDefinition() {
    assertThat(WarningRule.quietSamples(3)).isEqualTo(10);
    assertThat(WarningRule.quietSamples(6)).isEqualTo(7);
    assertThat(WarningRule.quietSamples(12)).isEqualTo(1);
    assertThatThrownBy(() -> WarningRule.quietSamples(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
  }

  @Test
  void noWarningWhileAnExceedanceIsTooRecentForANewOnset() {
    double[] cpu = new double[20];
    Arrays.fill(cpu, 50);
    cpu[5] = 90;
    double[] p = new double[20];
    Arrays.fill(p, 0.9);
    boolean[] w = WarningRule.apply(p, 0, 20, 0.5, cpu, 0, 80, 6);
    for (int i = 0; i < 20; i++) {
      // quiet: index i and the 6 before it at or below 80
      assertThat(w[i]).as("index %d", i).isEqualTo(i < 5 || i >= 12);
    }
  }

  @Test
  void readsTheSamplesBeforeTheFirstRow() {
    double[] cpu = new double[20];
    Arrays.fill(cpu, 50);
    cpu[5] = 90;
    double[] p = new double[30];
    Arrays.fill(p, 0.9);
    // rows 0..9 are made at series indices 8..17 and read from p[10..19]
    boolean[] w = WarningRule.apply(p, 10, 10, 0.5, cpu, 8, 80, 6);
    assertThat(w).containsExactly(false, false, false, false, true, true, true, true, true, true);
  }

  @Test
  void belowTheCutOffNoWarning() {
    double[] cpu = {10, 10, 10};
    boolean[] w = WarningRule.apply(new double[] {0.2, 0.5, 0.49}, 0, 3, 0.5, cpu, 0, 80, 12);
    assertThat(w).containsExactly(false, true, false);
  }

  @Test
  void neverDropsAWarningThatCouldCatchAnOnset() {
    Random rnd = new Random(7);
    for (int h : new int[] {3, 6, 12}) {
      double[] cpu = new double[5000];
      for (int i = 0; i < cpu.length; i++) {
        cpu[i] = rnd.nextDouble() < 0.03 ? 95 : 60 + 15 * rnd.nextDouble();
      }
      double[] p = new double[cpu.length];
      Arrays.fill(p, 1);
      boolean[] w = WarningRule.apply(p, 0, cpu.length, 0.5, cpu, 0, 80, h);
      int onsets = 0;
      for (int t = ForecastEvaluation.CALM_BEFORE_ONSET; t < cpu.length; t++) {
        boolean onset = cpu[t] > 80;
        for (int u = t - ForecastEvaluation.CALM_BEFORE_ONSET; u < t; u++) {
          onset &= cpu[u] <= 80;
        }
        if (!onset) {
          continue;
        }
        onsets++;
        for (int s = t - h; s <= t - 3; s++) {
          assertThat(w[s]).as("h %d, onset at %d, warning at %d", h, t, s).isTrue();
        }
      }
      assertThat(onsets).as("h %d", h).isGreaterThan(20);
      // and it does leave out warnings right after an exceedance
      int dropped = 0;
      for (int i = 1; i < cpu.length; i++) {
        dropped += cpu[i] <= 80 && cpu[i - 1] > 80 && !w[i] ? 1 : 0;
      }
      assertThat(dropped).as("h %d", h).isEqualTo(h == 12 ? 0 : countAfterHigh(cpu));
    }
  }

  private static int countAfterHigh(double[] cpu) {
    int n = 0;
    for (int i = 1; i < cpu.length; i++) {
      n += cpu[i] <= 80 && cpu[i - 1] > 80 ? 1 : 0;
    }
    return n;
  }

  @Test
  void rowsPastTheArraysAreRefusedNamingTheSizes() {
    assertThatThrownBy(() -> WarningRule.apply(new double[3], 0, 4, 0.5, new double[10], 0, 80, 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4 rows from 0 run past the 3 probabilities");
    assertThatThrownBy(() -> WarningRule.apply(new double[10], 0, 4, 0.5, new double[10], 8, 80, 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the 10 CPU samples");
    assertThatThrownBy(() -> WarningRule.apply(new double[3], -1, 1, 0.5, new double[3], 0, 80, 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative index");
  }
}
