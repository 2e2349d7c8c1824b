package io.vmdna.models.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnomalyEnsembleTest {
  private static final long T0 = 1_375_308_000L;
  private static final int N = 4 * 288;
  private static final int AT = 3 * 288 + 100;

  /** Four days of a calm daily wave with noise; optionally +30 from sample {@link #AT}. */
  private static double[] series(long seed, boolean shift) {
    Random r = new Random(seed);
    double[] x = new double[N];
    for (int i = 0; i < x.length; i++) {
      x[i] = 30 + 5 * Math.sin(2 * Math.PI * i / 288) + r.nextGaussian();
      if (shift && i >= AT) {
        x[i] += 30;
      }
    }
    return x;
  }

  private static List<AnomalyEnsemble.Verdict> run(double[]... features) {
    List<String> names = new ArrayList<>();
    for (int f = 0; f < features.length; f++) {
      names.add("m" + f);
    }
    AnomalyEnsemble e = new AnomalyEnsemble(AnomalyEnsemble.Config.defaults(), names);
    List<AnomalyEnsemble.Verdict> out = new ArrayList<>();
    for (int i = 0; i < features[0].length; i++) {
      double[] v = new double[features.length];
      for (int f = 0; f < v.length; f++) {
        v[f] = features[f][i];
      }
      out.add(e.update(T0 + 300L * i, v));
    }
    return out;
  }

  @Test
  void shouldScoreZeroUntilTheWarmUpAndTheStatisticsOwnHistoryAreOver() {
    List<AnomalyEnsemble.Verdict> v = run(series(1, true));

    int warm = AnomalyEnsemble.Config.defaults().warmUpRows();
    assertThat(warm).isEqualTo(576);
    assertThat(v.subList(0, warm)).allMatch(x -> x.score() == 0 && !x.alarm());
    assertThat(v).allMatch(x -> x.score() >= 0 && x.score() <= 1);
  }

  @Test
  void shouldAlarmOnALevelShiftWithinAnHourNamingDetectorsAndTheFeature() {
    // given a calm memory series beside a CPU series that shifts
    List<AnomalyEnsemble.Verdict> v = run(series(2, false), series(1, true));

    // then nothing before, an alarm within the hour, and the reasons name the shifted feature
    assertThat(v.subList(AnomalyEnsemble.Config.defaults().warmUpRows(), AT))
        .noneMatch(AnomalyEnsemble.Verdict::alarm);
    List<AnomalyEnsemble.Reason> reasons =
        v.subList(AT, AT + 12).stream().flatMap(x -> x.reasons().stream()).toList();
    assertThat(reasons).isNotEmpty().allMatch(r -> r.feature().equals("m1"));
    // (not the spike: its p-value must reach 24 decades, as a real series' bursts are heavy-tailed)
    assertThat(reasons.stream().map(AnomalyEnsemble.Reason::detector))
        .containsAnyOf("change-point", "ewma");
    assertThat(v.subList(AT, AT + 12).stream().filter(AnomalyEnsemble.Verdict::alarm))
        .allMatch(x -> x.reasons().getFirst().score() == x.score());
  }

  /**
   * Four days of a VM at ~10 % that runs at 100 % for two hours every day; optionally a one-sample
   * burst to 100 at {@link #AT}, outside those hours.
   */
  private static double[] dailyFullLoad(boolean burst) {
    Random r = new Random(5);
    double[] x = new double[N];
    for (int i = 0; i < x.length; i++) {
      int ofDay = i % 288;
      x[i] = ofDay >= 150 && ofDay < 174 ? 100 : 10 + r.nextGaussian();
    }
    if (burst) {
      x[AT] = 100;
    }
    return x;
  }

  @Test
  void shouldCatchABurstInsideTheDaysRangeWithThePeakDetectorButNotTheDailySwing() {
    // given a VM that reaches 100 % every day: a burst to 100 is no spike beyond the day's range
    assertThat(AT % 288).isLessThan(150);
    List<AnomalyEnsemble.Verdict> quiet = run(dailyFullLoad(false));
    List<AnomalyEnsemble.Verdict> burst = run(dailyFullLoad(true));

    // then the daily two hours at 100 % never alarm, and the burst alarms on the next sample,
    // named as a peak (the sample after it shows that it did not last)
    int warm = AnomalyEnsemble.Config.defaults().warmUpRows();
    assertThat(quiet.subList(warm, N)).noneMatch(AnomalyEnsemble.Verdict::alarm);
    assertThat(burst.get(AT).reasons()).noneMatch(x -> x.detector().equals("spike"));
    assertThat(burst.get(AT + 1).alarm()).isTrue();
    assertThat(burst.get(AT + 1).reasons())
        .anyMatch(x -> x.detector().equals("peak") && x.feature().equals("m0"));
  }

  @Test
  void shouldCatchASlowDriftWithTheLevelDetectorThatTheFastOnesMiss() {
    // given eight days of a calm daily wave; from day 5 a drift of +20 over 24 h
    Random r = new Random(5);
    int days = 8;
    int start = 5 * 288;
    double[] calm = new double[days * 288];
    double[] drift = new double[calm.length];
    for (int i = 0; i < calm.length; i++) {
      calm[i] = 30 + 5 * Math.sin(2 * Math.PI * i / 288) + 2 * r.nextGaussian();
      drift[i] = calm[i] + (i < start ? 0 : 20 * Math.min(1, (i - start + 1) / 288.0));
    }

    // when both are scored
    List<AnomalyEnsemble.Verdict> plain = run(calm);
    List<AnomalyEnsemble.Verdict> drifted = run(drift);

    // then the drift alarms by the end of its ramp, as a level change; the calm series never does
    int level = AnomalyEnsemble.DETECTORS.indexOf("level");
    int first = -1;
    for (int i = start; i < start + 288 + 12 && first < 0; i++) {
      first = drifted.get(i).alarm() ? i : -1;
    }
    assertThat(first).as("an alarm within the ramp and an hour").isGreaterThanOrEqualTo(start);
    assertThat(drifted.get(first).reasons())
        .extracting(AnomalyEnsemble.Reason::detector)
        .contains("level");
    assertThat(plain).noneMatch(AnomalyEnsemble.Verdict::alarm);
    // the statistics that share the level's past without its delay learn the drift as it comes
    // and stay silent: the fast detectors never reach the threshold on it
    double fastest = 0;
    for (int i = start; i < start + 288 + 12; i++) {
      for (int j = 0; j < level; j++) {
        fastest = Math.max(fastest, drifted.get(i).scores()[j]);
      }
    }
    assertThat(fastest).isLessThan(AnomalyEnsemble.DEFAULT_THRESHOLD);
    assertThat(drifted.get(first).scores()[level])
        .isGreaterThanOrEqualTo(AnomalyEnsemble.DEFAULT_THRESHOLD);
  }

  @Test
  void shouldBeCausal() {
    List<AnomalyEnsemble.Verdict> calm = run(series(1, false));
    List<AnomalyEnsemble.Verdict> shifted = run(series(1, true));

    for (int i = 0; i < AT; i++) {
      assertThat(shifted.get(i).score()).isEqualTo(calm.get(i).score());
    }
    assertThat(shifted.get(AT).score()).isGreaterThan(calm.get(AT).score());
  }

  @Test
  void shouldLetTheSvmCorroborateButNeverRaiseTheScoreAlone() {
    List<AnomalyEnsemble.Verdict> v = run(series(1, true));

    int svm = AnomalyEnsemble.DETECTORS.indexOf("one-class-svm");
    for (AnomalyEnsemble.Verdict x : v) {
      double others = 0;
      for (int j = 0; j < x.scores().length; j++) {
        others = j == svm ? others : Math.max(others, x.scores()[j]);
      }
      assertThat(x.score()).isEqualTo(others);
    }
    // and after the warm-up it has been trained and scores the shifted hours
    assertThat(v.subList(AT, AT + 24)).anyMatch(x -> x.scores()[svm] > 0);
  }

  @Test
  void shouldRejectBadInputNamingIt() {
    AnomalyEnsemble e =
        new AnomalyEnsemble(AnomalyEnsemble.Config.defaults(), List.of("cpu_pct", "mem_pct"));

    assertThatThrownBy(() -> e.update(T0, 1, Double.POSITIVE_INFINITY))
        .hasMessageContaining("value of mem_pct must be finite or NaN (absent), was Infinity");
    assertThatThrownBy(() -> e.update(T0, 1))
        .hasMessageContaining("expected 2 values ([cpu_pct, mem_pct]), got 1");
    assertThatThrownBy(() -> new AnomalyEnsemble(AnomalyEnsemble.Config.defaults(), List.of()))
        .hasMessageContaining("at least one feature");
    assertThatThrownBy(() -> AnomalyEnsemble.Config.defaults().withThreshold(0))
        .hasMessageContaining("threshold in (0, 1]");
    assertThatThrownBy(
            () ->
                new AnomalyEnsemble.Config(
                    10, 288, 12, 0.5, 2, 2016, 288, 6, 2016, 288, 0.05, 1, true))
        .hasMessageContaining("warmUp >= baseline");
    assertThatThrownBy(
            () ->
                new AnomalyEnsemble.Config(
                    288, 288, 12, 0.5, 2, 100, 288, 6, 2016, 288, 0.05, 1, true))
        .hasMessageContaining("calibrationWindow >= calibrationMin");
    assertThatThrownBy(
            () ->
                new AnomalyEnsemble.Config(
                    288, 288, 12, 0.5, 2, 2016, 288, 6, 20, 288, 0.05, 1, true))
        .hasMessageContaining("svmHistory >= 10 * svmStride");
    assertThatThrownBy(
            () ->
                new AnomalyEnsemble.Config(
                    288, 288, 12, 0.5, 2, 2016, 288, 6, 2016, 288, 1, 1, true))
        .hasMessageContaining("svmNu in (0, 1)");
  }

  @Test
  void shouldScoreAsTheDefaultsWithoutTheSvmSinceItNeverVotes() {
    double[] x = series(1, true);
    AnomalyEnsemble withSvm =
        new AnomalyEnsemble(AnomalyEnsemble.Config.defaults(), List.of("cpu_pct"));
    AnomalyEnsemble streaming =
        new AnomalyEnsemble(AnomalyEnsemble.Config.streaming(), List.of("cpu_pct"));

    int svm = AnomalyEnsemble.DETECTORS.indexOf("one-class-svm");
    for (int i = 0; i < x.length; i++) {
      AnomalyEnsemble.Verdict a = withSvm.update(T0 + 300L * i, x[i]);
      AnomalyEnsemble.Verdict b = streaming.update(T0 + 300L * i, x[i]);
      assertThat(b.score()).as("row %d", i).isEqualTo(a.score());
      assertThat(b.alarm()).isEqualTo(a.alarm());
      assertThat(b.scores()[svm]).isZero();
      assertThat(b.reasons())
          .isEqualTo(
              a.reasons().stream().filter(r -> !r.detector().equals("one-class-svm")).toList());
    }
  }

  @Test
  void shouldScoreTheSameAfterBeingWrittenAndReadBack() throws IOException {
    // given an ensemble two and a half days into two features
    double[] cpu = series(1, true);
    double[] mem = series(3, false);
    List<String> names = List.of("cpu_pct", "mem_pct");
    AnomalyEnsemble original = new AnomalyEnsemble(AnomalyEnsemble.Config.streaming(), names);
    int cut = 2 * 288 + 150;
    for (int i = 0; i < cut; i++) {
      original.update(T0 + 300L * i, cpu[i], mem[i]);
    }

    // when it is written and read back
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    original.write(new DataOutputStream(bytes));
    AnomalyEnsemble copy =
        AnomalyEnsemble.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

    // then both score the rest (the shift included) identically
    assertThat(copy.features()).isEqualTo(names);
    assertThat(copy.config()).isEqualTo(original.config());
    boolean alarmed = false;
    for (int i = cut; i < cpu.length; i++) {
      AnomalyEnsemble.Verdict a = original.update(T0 + 300L * i, cpu[i], mem[i]);
      AnomalyEnsemble.Verdict b = copy.update(T0 + 300L * i, cpu[i], mem[i]);
      assertThat(b.score()).as("row %d", i).isEqualTo(a.score());
      assertThat(b.reasons()).isEqualTo(a.reasons());
      assertThat(b.scores()).isEqualTo(a.scores());
      alarmed |= a.alarm();
    }
    assertThat(alarmed).as("the comparison covered an alarm").isTrue();
    // a week of statistics is the bulk: well under a megabyte for two features
    assertThat(bytes.size()).isBetween(10_000, 400_000);
  }

  /**
   * State written by earlier versions (after the same 2.5 days of the same two series): format 1 by
   * session 15's version (before the peak detector), format 2 by session 16's (before the level
   * detector); {@code src/test/resources/anomaly/}.
   */
  @ParameterizedTest
  @CsvSource({"ensemble-format1.bin.gz, peak level", "ensemble-format2.bin.gz, level"})
  void shouldReadStateWrittenBeforeADetectorAndScoreTheOtherDetectorsAsBefore(
      String fixture, String missing) throws IOException {
    double[] cpu = series(1, true);
    double[] mem = series(3, false);
    int cut = 2 * 288 + 150;
    AnomalyEnsemble restored;
    try (InputStream in =
        new GZIPInputStream(AnomalyEnsembleTest.class.getResourceAsStream("/anomaly/" + fixture))) {
      restored = AnomalyEnsemble.read(new DataInputStream(in));
    }
    AnomalyEnsemble fresh =
        new AnomalyEnsemble(AnomalyEnsemble.Config.streaming(), List.of("cpu_pct", "mem_pct"));
    for (int i = 0; i < cut; i++) {
      fresh.update(T0 + 300L * i, cpu[i], mem[i]);
    }

    // then every detector the writer had scores the rest (the shift included) as one that never
    // stopped; a missing one starts empty, so it scores 0 for at least a day
    List<Integer> absent =
        java.util.Arrays.stream(missing.split(" "))
            .map(AnomalyEnsemble.DETECTORS::indexOf)
            .toList();
    assertThat(absent).doesNotContain(-1);
    int calibrationMin = AnomalyEnsemble.Config.streaming().calibrationMin();
    boolean alarmed = false;
    for (int i = cut; i < cpu.length; i++) {
      AnomalyEnsemble.Verdict a = fresh.update(T0 + 300L * i, cpu[i], mem[i]);
      AnomalyEnsemble.Verdict b = restored.update(T0 + 300L * i, cpu[i], mem[i]);
      for (int j = 0; j < a.scores().length; j++) {
        if (!absent.contains(j)) {
          assertThat(b.scores()[j])
              .as("row %d, %s", i, AnomalyEnsemble.DETECTORS.get(j))
              .isEqualTo(a.scores()[j]);
        } else if (i < cut + calibrationMin) {
          assertThat(b.scores()[j]).as("row %d, %s", i, AnomalyEnsemble.DETECTORS.get(j)).isZero();
        }
      }
      alarmed |= b.alarm();
    }
    assertThat(alarmed).as("the comparison covered an alarm").isTrue();
  }

  @Test
  void shouldRefuseToWriteTheSvmOrReadWhatIsNotAnEnsemble() throws IOException {
    AnomalyEnsemble withSvm =
        new AnomalyEnsemble(AnomalyEnsemble.Config.defaults(), List.of("cpu_pct"));
    assertThatThrownBy(() -> withSvm.write(new DataOutputStream(new ByteArrayOutputStream())))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("Config.streaming()");

    assertThatThrownBy(
            () ->
                AnomalyEnsemble.read(
                    new DataInputStream(new ByteArrayInputStream(new byte[] {0, 0, 0, 9}))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("format 9, this version reads 1 to 3");

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AnomalyEnsemble e = new AnomalyEnsemble(AnomalyEnsemble.Config.streaming(), List.of("cpu_pct"));
    e.update(T0, 1);
    e.write(new DataOutputStream(bytes));
    byte[] cut = java.util.Arrays.copyOf(bytes.toByteArray(), bytes.size() - 5);
    assertThatThrownBy(
            () -> AnomalyEnsemble.read(new DataInputStream(new ByteArrayInputStream(cut))))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void shouldLeaveAnAbsentFeatureOutWithoutFillingItIn() {
    // given memory absent (NaN) for the hour the CPU shifts, then back
    double[] cpu = series(1, true);
    double[] mem = series(3, false);
    AnomalyEnsemble both =
        new AnomalyEnsemble(AnomalyEnsemble.Config.streaming(), List.of("cpu_pct", "mem_pct"));
    AnomalyEnsemble memGaps =
        new AnomalyEnsemble(AnomalyEnsemble.Config.streaming(), List.of("mem_pct"));
    AnomalyEnsemble memWithoutTheRows =
        new AnomalyEnsemble(AnomalyEnsemble.Config.streaming(), List.of("mem_pct"));
    List<AnomalyEnsemble.Reason> reasons = new ArrayList<>();
    for (int i = 0; i < cpu.length; i++) {
      long t = T0 + 300L * i;
      boolean absent = i >= AT && i < AT + 12;
      AnomalyEnsemble.Verdict v = both.update(t, cpu[i], absent ? Double.NaN : mem[i]);
      AnomalyEnsemble.Verdict gap = memGaps.update(t, absent ? Double.NaN : mem[i]);
      if (absent) {
        reasons.addAll(v.reasons());
        assertThat(gap.score()).isZero();
      } else {
        // then memory goes on from the samples it had, as if the absent rows never existed
        assertThat(gap).usingRecursiveComparison().isEqualTo(memWithoutTheRows.update(t, mem[i]));
      }
    }
    // and the CPU shift alarms while memory is absent, memory never named
    assertThat(reasons).isNotEmpty().allMatch(r -> r.feature().equals("cpu_pct"));
  }

  @Test
  void shouldCalibrateAgainstTheStatisticsOwnPast() {
    TailCalibration c = new TailCalibration(1000, 100, 0.5);
    assertThat(c.pValue(100)).isEqualTo(1); // not ready

    Random r = new Random(1);
    for (int i = 0; i < 1000; i++) {
      c.add(Math.abs(r.nextGaussian()));
    }

    // the body is the empirical share at least as large; beyond the 98th percentile a tail
    assertThat(c.ready()).isTrue();
    assertThat(c.pValue(0)).isEqualTo(1);
    assertThat(c.pValue(0.6745)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.05));
    double p3 = c.pValue(3);
    double p5 = c.pValue(5);
    assertThat(p3).isLessThan(0.02).isGreaterThan(p5);
    assertThat(p5).isLessThan(1e-3).isPositive();
  }

  @Test
  void shouldPutAnOutlyingWindowOutsideTheOneClassSupport() {
    OneClassWindowModel m = new OneClassWindowModel(200, 0.05, 1);
    assertThat(m.outside(new double[6])).isNaN(); // not trained

    Random r = new Random(4);
    for (int i = 0; i < 200; i++) {
      m.add(
          new double[] {
            30 + r.nextGaussian(), 2 + r.nextGaussian() * 0.2, 33, 27, r.nextGaussian() * 0.1, 0
          });
    }
    m.fit();

    assertThat(m.outside(new double[] {30, 2, 33, 27, 0, 0})).isNegative();
    assertThat(m.outside(new double[] {60, 2, 63, 57, 0, 30})).isPositive();
  }
}
