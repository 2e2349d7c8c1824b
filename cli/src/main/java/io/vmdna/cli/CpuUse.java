package io.vmdna.cli;

import io.vmdna.hypervisor.image.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the machine's CPU time went, read from Linux's {@code /proc}: the whole machine, this
 * process, and the child processes this process has waited for, together with the shells that start
 * {@code qemu-img} ({@link QemuImg#launcherProcessIds()}: their own time and that of the {@code
 * qemu-img} runs they waited for). A benchmark takes one reading before and one after and reports
 * the difference, so it can say which part of a run costs what.
 *
 * <p>All times are CPU seconds (user + system). Immutable; {@link #now()} is thread-safe.
 *
 * @param machineS busy time of all CPUs together since boot (user, nice, system, irq, softirq,
 *     steal)
 * @param selfS this process's own time
 * @param childrenS the time of this process's children that have ended and been waited for, and of
 *     the launcher shells with theirs (a shell that ends between two readings may have its last
 *     moments counted twice or not at all)
 */
record CpuUse(double machineS, double selfS, double childrenS) {

  /** Linux's clock tick for {@code /proc} times; 100 on every mainstream kernel configuration. */
  static final double TICKS_PER_SECOND = 100.0;

  /** A reading now, or empty where there is no {@code /proc} (not Linux). */
  static Optional<CpuUse> now() {
    try {
      CpuUse own =
          parse(
              Files.readString(Path.of("/proc/stat")),
              Files.readString(Path.of("/proc/self/stat")));
      long launchers = 0;
      for (long pid : QemuImg.launcherProcessIds()) {
        try {
          String[] f = afterName(Files.readString(Path.of("/proc/" + pid + "/stat")), "stat");
          launchers +=
              Long.parseLong(f[11])
                  + Long.parseLong(f[12])
                  + Long.parseLong(f[13])
                  + Long.parseLong(f[14]);
        } catch (IOException gone) {
          // ended since it was listed: its times are in this process's children's now
        }
      }
      return Optional.of(
          new CpuUse(own.machineS, own.selfS, own.childrenS + launchers / TICKS_PER_SECOND));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses the texts of {@code /proc/stat} and {@code /proc/<pid>/stat}.
   *
   * @throws IllegalArgumentException naming the file whose text is not as Linux writes it
   */
  static CpuUse parse(String procStat, String selfStat) {
    String cpu = procStat.lines().filter(l -> l.startsWith("cpu ")).findFirst().orElse(null);
    if (cpu == null) {
      throw new IllegalArgumentException("/proc/stat has no 'cpu ' line");
    }
    String[] f = cpu.trim().split("\\s+");
    if (f.length < 9) {
      throw new IllegalArgumentException("/proc/stat: 'cpu' line has too few fields: " + cpu);
    }
    // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy
    long busy = 0;
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      busy += Long.parseLong(f[i]);
    }
    String[] s = afterName(selfStat, "self/stat");
    // fields 14-17 of the file (utime, stime, cutime, cstime) are 11-14 after the name
    long self = Long.parseLong(s[11]) + Long.parseLong(s[12]);
    long children = Long.parseLong(s[13]) + Long.parseLong(s[14]);
    return new CpuUse(
        busy / TICKS_PER_SECOND, self / TICKS_PER_SECOND, children / TICKS_PER_SECOND);
  }

  /**
   * The fields of a {@code /proc/<pid>/stat} text after the command name (field 2), which is in
   * parentheses and may hold spaces or parentheses itself: the fields after it start after the last
   * ')'.
   */
  private static String[] afterName(String stat, String file) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("/proc/" + file + ": no ')' after the command name");
    }
    String[] s = stat.substring(close + 1).trim().split("\\s+");
    if (s.length < 15) {
      throw new IllegalArgumentException("/proc/" + file + ": too few fields");
    }
    return s;
  }

  /** The time spent between {@code earlier} and this reading. */
  CpuUse since(CpuUse earlier) {
    return new CpuUse(
        machineS - earlier.machineS, selfS - earlier.selfS, childrenS - earlier.childrenS);
  }

  /** Time spent by everything else on the machine (other processes, the kernel's own work). */
  double othersS() {
    return Math.max(0, machineS - selfS - childrenS);
  }
}
