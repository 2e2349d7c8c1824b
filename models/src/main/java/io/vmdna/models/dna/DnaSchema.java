package io.vmdna.models.dna;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of the DNA vector, version {@value #VERSION}: names in order, with what each means.
 *
 * <p>The DNA describes behaviour, so it reads normalised series: CPU as percent of the VM's
 * provisioned CPU, memory as percent of its provisioned memory, throughputs as {@code ln(1 +
 * KiB/s)} (suffix {@code _log}; a VM with 10 × the traffic of another differs by a constant, not by
 * a factor). With CPU speed factors applied by the translation modules, a DNA from one hypervisor
 * compares with one from another. Windows end at the newest sample: {@code 1h} and {@code 24h};
 * periodicity and the time-of-day profile read up to {@value #HISTORY_DAYS} days.
 *
 * <ol>
 *   <li>Per series ({@link #SERIES}) and window: {@code mean, std, p50, p95, p99, min, max}, {@code
 *       slope_ph} (least squares, per hour), {@code burstiness} ({@code (σ−μ)/(σ+μ)}: −1 regular, 0
 *       Poisson-like, towards 1 bursty), {@code zero_frac} (share of samples at 0).
 *   <li>Periodicity of {@code cpu_pct} and {@code net_log} (received plus transmitted): {@code
 *       acf_1h}, {@code acf_24h} (autocorrelation at that lag, pairs aligned on timestamps) and
 *       {@code power_1h}, {@code power_24h} (share of the variance at that period, a discrete
 *       Fourier transform at that frequency over the history; 1 for a pure wave of that period).
 *   <li>{@code cpu_pct_tod_HHh}: mean CPU % in the four hours from HH (UTC) minus the history's
 *       mean.
 *   <li>Cross-metric over 24 h: {@code corr_cpu_mem}, {@code corr_cpu_disk}, {@code corr_cpu_net}
 *       (Pearson), {@code disk_read_share}, {@code net_rx_share} (of the bytes), and {@code
 *       mem_growth_pct_pd} (memory % per day over the history: leak-like growth).
 *   <li>Size: {@code cpu_cores_log2}, {@code mem_gib_log2}.
 *   <li>Optional metrics ({@link DnaSeries.Extra}): mean over 1 h and 24 h, p95 over 24 h.
 *   <li>Traffic pattern from flow records over 24 h: byte shares of tcp, udp, icmp and other
 *       protocols, destination entropy (bits, over bytes per destination) and {@code log2} of the
 *       number of destinations.
 * </ol>
 *
 * A feature that cannot be computed (no samples in the window, a metric the hypervisor does not
 * give, no flow records, a constant series for a correlation) is absent: NaN in the vector, never
 * 0.
 */
public final class DnaSchema {
  private DnaSchema() {}

  /** The schema version of vectors laid out as below. */
  public static final int VERSION = 2;

  /** Days of history read for periodicity, time of day and memory growth. */
  public static final int HISTORY_DAYS = 7;

  /** The per-window series, in order. */
  public static final List<String> SERIES =
      List.of("cpu_pct", "mem_pct", "disk_read_log", "disk_write_log", "net_rx_log", "net_tx_log");

  /** Window suffixes with their length in seconds. */
  static final List<String> WINDOWS = List.of("1h", "24h");

  static final long[] WINDOW_S = {3_600, 86_400};

  /** The per-window statistics, in order. */
  public static final List<String> STATS =
      List.of(
          "mean", "std", "p50", "p95", "p99", "min", "max", "slope_ph", "burstiness", "zero_frac");

  /** The series whose periodicity is described. */
  static final List<String> PERIODIC = List.of("cpu_pct", "net_log");

  static final List<String> PERIODICITY = List.of("acf_1h", "acf_24h", "power_1h", "power_24h");

  /** Start hours (UTC) of the time-of-day bins. */
  static final int[] TOD_HOURS = {0, 4, 8, 12, 16, 20};

  static final List<String> CROSS =
      List.of(
          "corr_cpu_mem_24h",
          "corr_cpu_disk_24h",
          "corr_cpu_net_24h",
          "disk_read_share_24h",
          "net_rx_share_24h",
          "mem_growth_pct_pd");

  static final List<String> SIZE = List.of("cpu_cores_log2", "mem_gib_log2");

  static final List<String> EXTRA_STATS = List.of("mean_1h", "mean_24h", "p95_24h");

  static final List<String> FLOW =
      List.of(
          "flow_tcp_share_24h",
          "flow_udp_share_24h",
          "flow_icmp_share_24h",
          "flow_other_share_24h",
          "flow_dst_entropy_bits_24h",
          "flow_dst_count_log2_24h");

  /** Feature names in vector order. */
  public static final List<String> NAMES = names();

  private static final Map<String, Integer> INDEX = index();

  /** Number of features. */
  public static int size() {
    return NAMES.size();
  }

  /**
   * The position of a feature.
   *
   * @throws IllegalArgumentException for a name not in this schema
   */
  public static int indexOf(String name) {
    Integer i = INDEX.get(name);
    if (i == null) {
      throw new IllegalArgumentException(
          "unknown DNA feature '%s' (schema %d has %d features, e.g. cpu_pct_p95_24h)"
              .formatted(name, VERSION, NAMES.size()));
    }
    return i;
  }

  private static List<String> names() {
    List<String> n = new ArrayList<>();
    for (String series : SERIES) {
      for (String w : WINDOWS) {
        for (String stat : STATS) {
          n.add(series + "_" + stat + "_" + w);
        }
      }
    }
    for (String p : PERIODIC) {
      for (String stat : PERIODICITY) {
        n.add(p + "_" + stat);
      }
    }
    for (int h : TOD_HOURS) {
      n.add("cpu_pct_tod_%02dh".formatted(h));
    }
    n.addAll(CROSS);
    n.addAll(SIZE);
    for (DnaSeries.Extra e : DnaSeries.Extra.values()) {
      for (String stat : EXTRA_STATS) {
        n.add(e.column() + "_" + stat);
      }
    }
    n.addAll(FLOW);
    return List.copyOf(n);
  }

  private static Map<String, Integer> index() {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < NAMES.size(); i++) {
      m.put(NAMES.get(i), i);
    }
    return Map.copyOf(m);
  }
}
