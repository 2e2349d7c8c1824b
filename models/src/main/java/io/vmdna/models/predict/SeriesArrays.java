package io.vmdna.models.predict;

import io.vmdna.models.VmSample;
import java.util.Arrays;
import java.util.List;

/**
 * One VM's samples as columns, oldest first, for fast feature extraction. Timestamps are strictly
 * increasing (duplicates removed by the reader); gaps are kept as gaps, never filled.
 *
 * <p>Immutable after construction; thread-safe.
 *
 * @param vmId the VM
 * @param timestampS sample times, epoch seconds, strictly increasing
 * @param cpuPct CPU use, percent of the provisioned CPU
 * @param memPct memory use, percent of the provisioned memory (NaN when none is provisioned)
 * @param netKbps network throughput received + transmitted, KiB/s
 * @param diskKbps disk throughput read + written, KiB/s
 * @param cpuCores provisioned cores
 * @param cpuProvisionedMhz provisioned CPU, MHz
 */
public record SeriesArrays(
    String vmId,
    long[] timestampS,
    double[] cpuPct,
    double[] memPct,
    double[] netKbps,
    double[] diskKbps,
    int[] cpuCores,
    double[] cpuProvisionedMhz) {

  /** How far a time-aligned lookup may be from the time asked for, seconds (half a sample). */
  public static final long LOOKUP_TOLERANCE_S = 150;

  /**
   * Columns of a series.
   *
   * @throws IllegalArgumentException if timestamps are not strictly increasing (naming the index)
   */
  public static SeriesArrays of(List<VmSample> samples) {
    int n = samples.size();
    long[] ts = new long[n];
    double[] cpu = new double[n];
    double[] mem = new double[n];
    double[] net = new double[n];
    double[] disk = new double[n];
    int[] cores = new int[n];
    double[] mhz = new double[n];
    String vm = n == 0 ? "" : samples.getFirst().vmId();
    for (int i = 0; i < n; i++) {
      VmSample s = samples.get(i);
      ts[i] = s.timestampS();
      if (i > 0 && ts[i] <= ts[i - 1]) {
        throw new IllegalArgumentException(
            "samples of VM %s are not in strictly increasing time order at index %d (%d after %d)"
                .formatted(vm, i, ts[i], ts[i - 1]));
      }
      cpu[i] = s.cpuUsagePct();
      mem[i] =
          s.memProvisionedKb() > 0 ? 100.0 * s.memUsageKb() / s.memProvisionedKb() : Double.NaN;
      net[i] = s.netKbps();
      disk[i] = s.diskKbps();
      cores[i] = s.cpuCores();
      mhz[i] = s.cpuProvisionedMhz();
    }
    return new SeriesArrays(vm, ts, cpu, mem, net, disk, cores, mhz);
  }

  /** Number of samples. */
  public int size() {
    return timestampS.length;
  }

  /**
   * The index of the sample nearest to {@code timeS} among indices {@code 0..upTo}, if it lies
   * within {@link #LOOKUP_TOLERANCE_S}; otherwise -1. Never looks past {@code upTo}, so a caller at
   * index {@code upTo} sees only the past.
   */
  public int indexNear(long timeS, int upTo) {
    if (upTo < 0) {
      return -1;
    }
    return nearestOf(timestampS, search(timestampS, timeS, upTo), timeS, upTo);
  }

  /**
   * What {@code Arrays.binarySearch(times, 0, upTo + 1, timeS)} gives, found from a guess: a series
   * with a steady sample interval has {@code timeS} about where the interval puts it, so a gallop
   * from there brackets it in a few probes and the bracket's binary search gives the same (unique,
   * times being strictly increasing) answer. Feature rows look up a week of same-time samples on
   * every sample, which made the whole-range search a visible cost.
   */
  private static int search(long[] times, long timeS, int upTo) {
    int g = upTo;
    if (upTo > 0 && timeS < times[upTo]) {
      double interval = (double) (times[upTo] - times[0]) / upTo;
      g = (int) Math.max(0, upTo - Math.ceil((times[upTo] - timeS) / interval));
    }
    int lo;
    int hi;
    if (times[g] < timeS) {
      // everything up to g is earlier; gallop up to a time later than timeS
      lo = g + 1;
      int p = g + 1;
      for (int step = 1; p <= upTo && times[p] <= timeS; step <<= 1) {
        p += step;
      }
      hi = Math.min(p, upTo + 1);
    } else {
      // everything after g is later; gallop down to a time earlier than timeS
      hi = g + 1;
      int p = g - 1;
      for (int step = 1; p >= 0 && times[p] >= timeS; step <<= 1) {
        p -= step;
      }
      lo = Math.max(p, -1) + 1;
    }
    return Arrays.binarySearch(times, lo, hi, timeS);
  }

  /**
   * The index of the time nearest to {@code timeS} among {@code times[0..upTo]} (increasing), if it
   * lies within {@link #LOOKUP_TOLERANCE_S}; otherwise -1.
   */
  public static int indexNear(long[] times, long timeS, int upTo) {
    if (upTo < 0) {
      return -1;
    }
    return nearestOf(times, Arrays.binarySearch(times, 0, upTo + 1, timeS), timeS, upTo);
  }

  /** The nearest within tolerance, from a binary search's answer {@code i} over [0, upTo]. */
  private static int nearestOf(long[] times, int i, long timeS, int upTo) {
    if (i >= 0) {
      return i;
    }
    int ins = -i - 1;
    int best = -1;
    long bestD = Long.MAX_VALUE;
    if (ins <= upTo) {
      best = ins;
      bestD = times[ins] - timeS;
    }
    if (ins - 1 >= 0 && timeS - times[ins - 1] < bestD) {
      best = ins - 1;
      bestD = timeS - times[ins - 1];
    }
    return bestD <= LOOKUP_TOLERANCE_S ? best : -1;
  }
}
