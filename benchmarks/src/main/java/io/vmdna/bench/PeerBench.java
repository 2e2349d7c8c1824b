package io.vmdna.bench;

import io.vmdna.models.predict.ForecastFeatures;
import io.vmdna.models.predict.ForecastModel;
import io.vmdna.models.predict.SeriesArrays;
import io.vmdna.models.trace.BitbrainsTraceReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cold-start peer features of one forecast row ({@link ForecastModel#prepare}: the shipped
 * model's 5 nearest of 100 peers by the row's small DNA, then their profile at the target hour),
 * which the profile job computes on every sample. Rows are the demo traces' real feature rows (run
 * from the repository's root, where {@code data/bitbrains-demo} is); the score is per row.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PeerBench {
  private static final int ROWS = 3_000;

  private ForecastModel model;
  private float[] rows;

  @Setup
  public void setUp() {
    model = ForecastModel.shipped(1);
    rows = new float[ROWS * ForecastFeatures.SIZE];
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    int r = 0;
    for (Path f : BitbrainsTraceReader.listTraceFiles(Path.of("data/bitbrains-demo"))) {
      SeriesArrays s = SeriesArrays.of(reader.read(f).samples());
      for (int t = 12; t < s.size() && r < ROWS; t++, r++) {
        ForecastFeatures.fill(s, t, 6, rows, r * ForecastFeatures.SIZE);
      }
    }
    if (r < ROWS) {
      throw new IllegalStateException(
          "PeerBench: data/bitbrains-demo gave %d feature rows, %d needed (run from the repository's root)"
              .formatted(r, ROWS));
    }
  }

  @TearDown
  public void tearDown() {
    model.close();
  }

  /** The peer features of every row (overwritten in place; the same values each time). */
  @Benchmark
  @OperationsPerInvocation(ROWS)
  public float[] peerFeatures() {
    model.prepare(rows, ROWS);
    return rows;
  }
}
