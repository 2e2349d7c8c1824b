package io.vmdna.cli;

import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.MigrationRequest;
import io.vmdna.hypervisor.api.MigrationResult;
import io.vmdna.hypervisor.api.MigrationStrategy;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.libvirt.LibvirtHypervisor;
import io.vmdna.hypervisor.libvirt.TwoLibvirtHosts;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./vmdna bench-migrate}: migration times on two real libvirt hosts on this machine ({@link
 * TwoLibvirtHosts}: a libvirtd in its own namespaces each, a TCG guest of 256 MiB rewriting 32 MiB
 * of memory every second). Runs {@code runs} {@code LIVE} migrations of a guest without a disk,
 * back and forth, checking after each that the guest's heartbeat went on, and {@code runs} {@code
 * WARM} migrations of a guest with a qcow2 disk, each followed by its move back (a {@code LIVE}
 * migration that copies the disk). Prints every migration and, per kind, the minimum, median, 95th
 * percentile and maximum of total time and downtime, and how many {@code LIVE} downtimes stayed
 * within {@value #LIVE_DOWNTIME_TARGET_MS} ms.
 *
 * <p>Needs root and libvirt, QEMU and Debian's kernel and busybox packages (see {@code .ci/run});
 * refuses to start, naming what is missing, elsewhere.
 *
 * @param runs migrations of each kind
 * @param guestCache folder keeping the built guest between runs
 * @param maxDowntimeMs the planned pause of the forward moves ({@link
 *     LibvirtHypervisor#OPTION_MAX_DOWNTIME_MS}), or 0 for the module's default ({@link
 *     LibvirtHypervisor#DEFAULT_MAX_DOWNTIME_MS}); the moves back ({@link
 *     LibvirtHypervisor#migrateBack}, which takes no options) always use the default
 */
public record LibvirtMigrationBench(int runs, Path guestCache, long maxDowntimeMs) {
  /** The most a {@code LIVE} migration should stop the guest, ms. */
  public static final long LIVE_DOWNTIME_TARGET_MS = 100;

  private static final String VM = "bench-vm";
  private static final String DISK_VM = "bench-disk";

  /** Validates. */
  public LibvirtMigrationBench {
    if (runs < 1 || maxDowntimeMs < 0) {
      throw new IllegalArgumentException(
          "bench-migrate needs --runs >= 1 and --max-downtime-ms >= 0, were %d and %d"
              .formatted(runs, maxDowntimeMs));
    }
  }

  /**
   * Runs the migrations and prints them.
   *
   * @return the results by kind ("LIVE", "WARM", "LIVE with disk copy"), in the order they ran
   * @throws IllegalStateException when this machine cannot run two libvirt hosts (naming why) or a
   *     guest stopped counting after a migration
   */
  public Map<String, List<MigrationResult>> run(PrintStream out) throws Exception {
    String missing = TwoLibvirtHosts.missingPrerequisite();
    if (missing != null) {
      throw new IllegalStateException(
          "bench-migrate cannot run two libvirt hosts here: " + missing);
    }
    Map<String, String> options =
        maxDowntimeMs == 0
            ? Map.of()
            : Map.of(LibvirtHypervisor.OPTION_MAX_DOWNTIME_MS, Long.toString(maxDowntimeMs));
    Map<String, List<MigrationResult>> results = new LinkedHashMap<>();
    out.printf("bench-migrate: bringing up two libvirt hosts and two guests...%n");
    try (TwoLibvirtHosts lab = TwoLibvirtHosts.up(guestCache);
        LibvirtHypervisor hv =
            new LibvirtHypervisor(
                lab.hosts(ImageFormat.QCOW2, ImageFormat.QCOW2),
                Duration.ofSeconds(5),
                Duration.ofSeconds(120),
                lab.root().resolve("converted"),
                QemuImg.onPath())) {
      ImageRef disk = lab.disk(DISK_VM, 64L << 20);
      lab.startGuest("host-a", VM, null);
      lab.startGuest("host-a", DISK_VM, disk);
      String at = "host-a";
      for (int i = 1; i <= runs; i++) {
        String to = at.equals("host-a") ? "host-b" : "host-a";
        int before = lab.lastHeartbeat(VM);
        MigrationResult r =
            hv.migrate(
                new MigrationRequest(
                    "live-" + i, VM, at, to, MigrationStrategy.LIVE, null, options));
        int after = heartbeatAfter(lab, VM, before, r);
        record(out, results, "LIVE", r, "heartbeat %d -> %d".formatted(before, after));
        at = to;
      }
      for (int i = 1; i <= runs; i++) {
        int before = lab.lastHeartbeat(DISK_VM);
        MigrationResult warm =
            hv.migrate(
                new MigrationRequest(
                    "warm-" + i,
                    DISK_VM,
                    "host-a",
                    "host-b",
                    MigrationStrategy.WARM,
                    null,
                    options));
        int after = heartbeatAfter(lab, DISK_VM, before, warm);
        record(out, results, "WARM", warm, "heartbeat %d -> %d".formatted(before, after));
        MigrationResult back = hv.migrateBack("warm-" + i, DISK_VM, "host-a", disk);
        heartbeatAfter(lab, DISK_VM, after, back);
        record(out, results, "LIVE with disk copy", back, "back onto its qcow2 disk");
        hv.convertedImage("warm-" + i).ifPresent(hv::deleteImage);
      }
    }
    out.print(summary(results));
    return results;
  }

  /**
   * The guest's next heartbeat after a migration.
   *
   * @throws IllegalStateException when it does not come within 15 s, naming the migration and
   *     quoting the end of the guest's serial log (the lab is deleted when the bench stops)
   */
  private static int heartbeatAfter(TwoLibvirtHosts lab, String vm, int before, MigrationResult r)
      throws Exception {
    try {
      return lab.awaitHeartbeatAbove(vm, before, Duration.ofSeconds(15));
    } catch (IllegalStateException stopped) {
      java.nio.file.Path log = lab.root().resolve(vm + ".serial.log");
      List<String> lines =
          java.nio.file.Files.exists(log) ? java.nio.file.Files.readAllLines(log) : List.of();
      throw new IllegalStateException(
          "%s stopped counting after migration %s (%s -> %s, %d ms, downtime %d ms); the end of its serial log:%n%s"
              .formatted(
                  vm,
                  r.migrationId(),
                  r.fromHostId(),
                  r.toHostId(),
                  r.durationMs(),
                  r.downtimeMs(),
                  String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()))),
          stopped);
    }
  }

  private static void record(
      PrintStream out,
      Map<String, List<MigrationResult>> results,
      String kind,
      MigrationResult r,
      String note) {
    results.computeIfAbsent(kind, k -> new ArrayList<>()).add(r);
    out.printf(
        "  %-20s %s -> %s  total %6d ms  downtime %5d ms  %,d bytes  (%s)%n",
        kind,
        r.fromHostId(),
        r.toHostId(),
        r.durationMs(),
        r.downtimeMs(),
        r.bytesTransferred(),
        note);
  }

  /** Per kind: min, median, p95 and max of total time and downtime; the LIVE downtime target. */
  static String summary(Map<String, List<MigrationResult>> results) {
    StringBuilder b = new StringBuilder("bench-migrate summary, ms (min / median / p95 / max):\n");
    results.forEach(
        (kind, rs) -> {
          b.append(
              "  %-20s n %3d  total %s  downtime %s%n"
                  .formatted(
                      kind,
                      rs.size(),
                      spread(rs.stream().map(MigrationResult::durationMs).toList()),
                      spread(rs.stream().map(MigrationResult::downtimeMs).toList())));
        });
    List<MigrationResult> live = results.getOrDefault("LIVE", List.of());
    long within = live.stream().filter(r -> r.downtimeMs() <= LIVE_DOWNTIME_TARGET_MS).count();
    b.append(
        "  LIVE downtime <= %d ms in %d of %d migrations%n"
            .formatted(LIVE_DOWNTIME_TARGET_MS, within, live.size()));
    return b.toString();
  }

  private static String spread(List<Long> xs) {
    List<Long> s = xs.stream().sorted().toList();
    return "%5d / %5d / %5d / %5d".formatted(s.get(0), pct(s, 50), pct(s, 95), s.get(s.size() - 1));
  }

  private static long pct(List<Long> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
