package io.vmdna.models.dna;

import io.vmdna.models.VmSample;
import java.util.function.ToDoubleFunction;

/** The per-VM metrics that the first DNA describes, with their units in the name. */
public enum Metric {
  CPU_PCT("cpu_pct", VmSample::cpuUsagePct),
  CPU_MHZ("cpu_mhz", VmSample::cpuUsageMhz),
  MEM_KB("mem_kb", VmSample::memUsageKb),
  DISK_KBPS("disk_kbps", VmSample::diskKbps),
  NET_KBPS("net_kbps", VmSample::netKbps);

  private final String column;
  private final ToDoubleFunction<VmSample> extractor;

  Metric(String column, ToDoubleFunction<VmSample> extractor) {
    this.column = column;
    this.extractor = extractor;
  }

  /** The snake_case name used in feature names and CSV columns. */
  public String column() {
    return column;
  }

  /** Reads this metric from a sample. */
  public double of(VmSample s) {
    return extractor.applyAsDouble(s);
  }
}
