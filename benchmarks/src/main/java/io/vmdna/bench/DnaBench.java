package io.vmdna.bench;

import io.vmdna.models.VmSample;
import io.vmdna.models.anomaly.AnomalyEnsemble;
import io.vmdna.models.dna.DerivedColumns;
import io.vmdna.models.dna.DnaExtractor;
import io.vmdna.models.dna.DnaModel;
import io.vmdna.models.dna.DnaSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The DNA's costs, one VM at a time: the schema-2 feature vector over {@code days} of 5-minute
 * history (the streaming job computes it once an hour per VM), its embedding by the shipped model,
 * and one sample through the one-series anomaly detector ({@code ./vmdna detect}) after a day of
 * warm-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DnaBench {
  @Param({"1", "7"})
  int days;

  private DnaSeries series;
  private DnaExtractor extractor;
  private DnaModel model;
  private double[] features;
  private DerivedColumns derived;
  private AnomalyEnsemble detector;
  private AnomalyEnsemble streaming;
  private long t;
  private Random random;

  @Setup
  public void setUp() {
    random = new Random(1);
    List<VmSample> s = new ArrayList<>();
    int n = days * 288;
    for (int i = 0; i < n; i++) {
      double pct = 30 + 20 * Math.sin(2 * Math.PI * i / 288.0) + random.nextGaussian() * 3;
      s.add(
          new VmSample(
              "vm",
              "h",
              1_375_315_200L + 300L * i,
              4,
              10_000,
              pct * 100,
              pct,
              8e6,
              2e6 + random.nextInt(100_000),
              random.nextDouble() * 50,
              random.nextDouble() * 20,
              random.nextDouble() * 300,
              random.nextDouble() * 100));
    }
    series = DnaSeries.of(s);
    extractor = new DnaExtractor();
    model = DnaModel.shipped();
    features = extractor.features(series, n - 1);
    derived = DerivedColumns.of(series);
  }

  /** A fresh detector past its warm-up, for each measurement iteration. */
  @Setup(Level.Iteration)
  public void warmDetector() {
    detector = new AnomalyEnsemble(AnomalyEnsemble.Config.defaults(), List.of("cpu_pct"));
    streaming =
        new AnomalyEnsemble(AnomalyEnsemble.Config.streaming(), List.of("cpu_pct", "mem_pct"));
    t = 0;
    for (int i = 0; i < 3 * 288; i++) {
      detector.update(t, 30 + random.nextGaussian() * 3);
      streaming.update(t, 30 + random.nextGaussian() * 3, 50 + random.nextGaussian());
      t += 300;
    }
  }

  /** The 157 features at the newest sample. */
  @Benchmark
  public double[] extract() {
    return extractor.features(series, series.size() - 1);
  }

  /** Scaling, embedding and reconstruction error of one DNA. */
  /**
   * The same features with the per-sample derived columns kept beside the history, as the streaming
   * profile keeps them (each sample's computed once, not once per DNA).
   */
  @Benchmark
  public double[] extractWithDerived() {
    return extractor.features(series, series.size() - 1, derived);
  }

  @Benchmark
  public DnaModel.Encoded encode() {
    return model.encode(features);
  }

  /**
   * One sample of one series scored by the six-detector ensemble of {@code ./vmdna detect} (three
   * days in: every detector calibrated, the one-class SVM trained).
   */
  @Benchmark
  public AnomalyEnsemble.Verdict detectOneSample() {
    t += 300;
    return detector.update(t, 30 + random.nextGaussian() * 3);
  }

  /**
   * One sample of the streaming job's ensemble: CPU % and memory %, five detectors each, no
   * per-series SVM ({@code AnomalyEnsemble.Config.streaming()}, three days in).
   */
  @Benchmark
  public AnomalyEnsemble.Verdict detectStreamingSample() {
    t += 300;
    return streaming.update(t, 30 + random.nextGaussian() * 3, 50 + random.nextGaussian());
  }
}
