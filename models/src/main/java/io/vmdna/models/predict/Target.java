package io.vmdna.models.predict;

/**
 * What a model forecasts. Each target is learnt on a scale where its errors are comparable across
 * VMs ({@link #toModel}) and read back in its own unit ({@link #fromModel}); quantiles survive the
 * monotone transform.
 */
public enum Target {
  /** CPU use, percent of the provisioned CPU. */
  CPU_PCT("cpu_pct", "%"),
  /** Memory use, percent of the provisioned memory. */
  MEM_PCT("mem_pct", "%"),
  /** Network throughput, received + transmitted, KiB/s (learnt as log1p). */
  NET_KBPS("net_kbps", "KiB/s");

  private final String id;
  private final String unit;

  Target(String id, String unit) {
    this.id = id;
    this.unit = unit;
  }

  /** Its name in file names and reports. */
  public String id() {
    return id;
  }

  /** Unit of {@link #value} and {@link #fromModel}. */
  public String unit() {
    return unit;
  }

  /** The target's value at index {@code i}, in its unit; NaN when the series does not say. */
  public double value(SeriesArrays s, int i) {
    return switch (this) {
      case CPU_PCT -> s.cpuPct()[i];
      case MEM_PCT -> s.memPct()[i];
      case NET_KBPS -> s.netKbps()[i];
    };
  }

  /**
   * Index in {@link ForecastFeatures#NAMES} of the target's current value on the model scale. The
   * boosters learn the change from it (a tree cannot draw the identity line without stairs), so the
   * forecast is {@code base + booster output}; a missing base counts as 0.
   */
  public int baseFeature() {
    return ForecastFeatures.NAMES.indexOf(
        switch (this) {
          case CPU_PCT -> "cpu_now";
          case MEM_PCT -> "mem_now";
          case NET_KBPS -> "net_log_now";
        });
  }

  /** The base for a row of features (see {@link #baseFeature}). */
  public float base(float[] features, int row) {
    float b = features[row * ForecastFeatures.SIZE + baseFeature()];
    return Float.isNaN(b) ? 0 : b;
  }

  /** Maps a value in the target's unit to the scale the model learns. */
  public double toModel(double v) {
    return this == NET_KBPS ? Math.log1p(v) : v;
  }

  /** Maps a model output back to the target's unit (never negative). */
  public double fromModel(double m) {
    return Math.max(0, this == NET_KBPS ? Math.expm1(m) : m);
  }
}
