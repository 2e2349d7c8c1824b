package io.vmdna.cli;

import java.nio.file.Path;

/**
 * Settings of the embedded loop.
 *
 * @param dataDir folder with the traces and {@code fleet.csv}
 * @param workDir folder for disk images and Flink's temporary files
 * @param zeebePort gRPC port of the in-process Zeebe engine (0 = any free port)
 * @param stepsPerSecond simulated 5-minute steps replayed per wall-clock second
 * @param flinkParallelism parallelism of the keyed operators
 * @param forecastModel {@code shipped} (the XGBoost4J model in the jar), a model folder, or {@code
 *     trend} (the backbone's damped-trend rule)
 * @param gateway a real Zeebe gateway (e.g. {@code http://localhost:26500} of {@code ./vmdna stack
 *     up}) to use instead of the in-process engine, or null
 */
public record DemoSettings(
    Path dataDir,
    Path workDir,
    int zeebePort,
    double stepsPerSecond,
    int flinkParallelism,
    String forecastModel,
    String gateway) {

  /** Validates. */
  public DemoSettings {
    if (!(stepsPerSecond > 0)) {
      throw new IllegalArgumentException("--steps-per-second must be > 0, was " + stepsPerSecond);
    }
    if (zeebePort < 0 || zeebePort > 65535) {
      throw new IllegalArgumentException("--zeebe-port must be 0..65535, was " + zeebePort);
    }
    if (flinkParallelism < 1) {
      throw new IllegalArgumentException("--parallelism must be >= 1, was " + flinkParallelism);
    }
    if (forecastModel == null || forecastModel.isBlank()) {
      throw new IllegalArgumentException("--forecast-model must be shipped, trend or a folder");
    }
    if (gateway != null && !gateway.matches("https?://[^/\\s]+(:\\d+)?/?")) {
      throw new IllegalArgumentException(
          "--gateway needs an address like http://localhost:26500, got '" + gateway + "'");
    }
  }

  /**
   * The defaults of {@code ./vmdna demo}: the bundled extract and {@code target/vmdna-demo} under
   * the repository root (system property {@code vmdna.home}, set by the launcher; else the working
   * folder).
   */
  public static DemoSettings defaults() {
    Path home = Path.of(System.getProperty("vmdna.home", "."));
    return new DemoSettings(
        home.resolve("data/bitbrains-demo"),
        home.resolve("target/vmdna-demo"),
        26500,
        4,
        2,
        "shipped",
        null);
  }
}
