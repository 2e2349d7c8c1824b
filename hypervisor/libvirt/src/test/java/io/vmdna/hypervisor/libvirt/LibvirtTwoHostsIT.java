package io.vmdna.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.HypervisorUnavailableException;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.MigrationRequest;
import io.vmdna.hypervisor.api.MigrationResult;
import io.vmdna.hypervisor.api.MigrationStrategy;
import io.vmdna.hypervisor.api.VmInfo;
import io.vmdna.hypervisor.image.QemuImg;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The libvirt module on two real libvirt hosts on this machine ({@link TwoLibvirtHosts}: each
 * libvirtd in its own namespaces) with real guests under QEMU (TCG) whose serial heartbeat shows
 * they keep running: one without a disk, one with a qcow2 disk.
 *
 * <p>Needs root, {@code unshare}, {@code libvirtd} and {@code qemu-system-x86_64} (Debian:
 * libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients, qemu-system-x86); without them the
 * tests are skipped saying why, and {@code .ci/run} fails on that skip, since CI can run them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtTwoHostsIT {
  private static final String VM = "hb-vm";
  private static final String DISK_VM = "hb-disk";

  private static TwoLibvirtHosts lab;
  private static ImageRef diskImage;
  private static LibvirtHypervisor hv;

  @BeforeAll
  static void upTwoHosts() throws Exception {
    String missing = TwoLibvirtHosts.missingPrerequisite();
    Assumptions.assumeTrue(missing == null, () -> "two libvirt hosts cannot run here: " + missing);
    lab = TwoLibvirtHosts.up(Path.of("target/libvirt-guest"));
    diskImage = lab.disk("hb-disk", 64L << 20);
    hv =
        new LibvirtHypervisor(
            lab.hosts(ImageFormat.QCOW2, ImageFormat.QCOW2),
            Duration.ofSeconds(5),
            Duration.ofSeconds(120),
            lab.root().resolve("converted"),
            QemuImg.onPath());
    lab.startGuest("host-a", VM, null);
    lab.startGuest("host-a", DISK_VM, diskImage);
  }

  @AfterAll
  static void down() throws Exception {
    if (hv != null) {
      hv.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  private static int lastHeartbeat() throws IOException {
    return lab.lastHeartbeat(VM);
  }

  private static int lastHeartbeat(String vm) throws IOException {
    return lab.lastHeartbeat(vm);
  }

  private static int awaitHeartbeatAbove(int n, Duration within) throws Exception {
    return lab.awaitHeartbeatAbove(VM, n, within);
  }

  private static int awaitHeartbeatAbove(String vm, int n, Duration within) throws Exception {
    return lab.awaitHeartbeatAbove(vm, n, within);
  }

  private static MigrationRequest live(String id, String from, String to) {
    return new MigrationRequest(id, VM, from, to, MigrationStrategy.LIVE, null, Map.of());
  }

  @Test
  @Order(1)
  void shouldDescribeBothHostsAndFindTheGuest() {
    List<HostInfo> hosts = hv.hosts();

    assertThat(hosts).extracting(HostInfo::hostId).containsExactly("host-a", "host-b");
    assertThat(hosts).allSatisfy(h -> assertThat(h.cpuCapacityMhz()).isPositive());
    assertThat(hv.locate(VM)).contains("host-a");
    assertThat(hv.isHealthy(VM, "host-a")).isTrue();
    assertThat(hv.isHealthy(VM, "host-b")).isFalse();
  }

  @Test
  @Order(2)
  void shouldLiveMigrateTheRunningGuestThereAndBackWithoutStoppingIt() throws Exception {
    int before = awaitHeartbeatAbove(0, Duration.ofSeconds(5));

    MigrationResult there = hv.migrate(live("m-1", "host-a", "host-b"));
    System.out.printf(
        "libvirt LIVE a->b: %d ms, downtime %d ms, %d bytes%n",
        there.durationMs(), there.downtimeMs(), there.bytesTransferred());

    assertThat(there.alreadyDone()).isFalse();
    assertThat(there.fromHostId()).isEqualTo("host-a");
    assertThat(there.toHostId()).isEqualTo("host-b");
    assertThat(there.durationMs()).isPositive();
    assertThat(there.downtimeMs()).isBetween(0L, 5_000L);
    assertThat(there.bytesTransferred()).isPositive();
    assertThat(hv.locate(VM)).contains("host-b");
    assertThat(hv.isHealthy(VM, "host-b")).isTrue();
    assertThat(hv.isHealthy(VM, "host-a")).isFalse();
    int after = awaitHeartbeatAbove(lastHeartbeat(), Duration.ofSeconds(10));
    assertThat(after).as("the guest kept counting: it was not restarted").isGreaterThan(before);

    MigrationResult again = hv.migrate(live("m-1", "host-a", "host-b"));
    assertThat(again.alreadyDone()).isTrue();

    MigrationResult back = hv.migrateBack("m-1", VM, "host-a", null);
    System.out.printf(
        "libvirt LIVE b->a: %d ms, downtime %d ms, %d bytes%n",
        back.durationMs(), back.downtimeMs(), back.bytesTransferred());
    assertThat(back.toHostId()).isEqualTo("host-a");
    assertThat(hv.locate(VM)).contains("host-a");
    assertThat(awaitHeartbeatAbove(lastHeartbeat(), Duration.ofSeconds(30))).isGreaterThan(after);
    assertThat(hv.migrateBack("m-1", VM, "host-a", null).alreadyDone()).isTrue();
  }

  @Test
  @Order(3)
  void shouldRefuseMigrationsItCannotDoNamingWhy() {
    assertThatThrownBy(
            () ->
                hv.migrate(
                    new MigrationRequest(
                        "m-2",
                        "ghost",
                        "host-a",
                        "host-b",
                        MigrationStrategy.LIVE,
                        null,
                        Map.of())))
        .isInstanceOf(HypervisorException.class)
        .hasMessageContaining("migrate ghost: the VM does not run on the source host-a")
        .hasMessageContaining("it runs on no host");
    // a step retried after a crash: the VM is already where it should go
    assertThat(hv.migrate(live("m-retried", "host-b", "host-a")).alreadyDone()).isTrue();
    assertThatThrownBy(() -> hv.migrate(live("m-3", "host-a", "host-z")))
        .hasMessageContaining("unknown host 'host-z'; hosts: [host-a, host-b]");
    assertThatThrownBy(
            () ->
                hv.migrate(
                    new MigrationRequest(
                        "m-4", VM, "host-a", "host-b", MigrationStrategy.WARM, null, Map.of())))
        .hasMessageContaining("warm-migrate hb-vm to host-b: the domain has no file-backed disk");
    assertThatThrownBy(
            () ->
                hv.migrate(
                    new MigrationRequest(
                        "m-5",
                        VM,
                        "host-a",
                        "host-b",
                        MigrationStrategy.LIVE,
                        null,
                        Map.of(LibvirtHypervisor.OPTION_BANDWIDTH_MIBPS, "fast"))))
        .hasMessageContaining("bandwidthMiBps must be a whole number of MiB/s > 0, was 'fast'");
    assertThatThrownBy(
            () ->
                hv.migrate(
                    new MigrationRequest(
                        "m-6",
                        VM,
                        "host-a",
                        "host-b",
                        MigrationStrategy.LIVE,
                        null,
                        Map.of(LibvirtHypervisor.OPTION_MAX_DOWNTIME_MS, "0"))))
        .hasMessageContaining("maxDowntimeMs must be a whole number of ms > 0, was '0'");
    assertThat(hv.locate(VM)).contains("host-a");
  }

  @Test
  @Order(4)
  void shouldNotHangWhenADaemonStopsAnswering() throws Exception {
    long pid = lab.daemonPid("host-b");
    new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).start().waitFor();
    try {
      long t0 = System.nanoTime();
      assertThatThrownBy(hv::hosts)
          .isInstanceOf(HypervisorUnavailableException.class)
          .hasMessageContaining("host-b");
      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(15);
    } finally {
      new ProcessBuilder("kill", "-CONT", String.valueOf(pid)).start().waitFor();
    }
  }

  @Test
  @Order(5)
  void shouldCopyTheRunningDiskIntoTheConvertedImageAndBack() throws Exception {
    // given: the disk converted ahead, while the guest runs, to the target's format
    ImageRef raw = hv.convertImage("m-disk", DISK_VM, ImageFormat.RAW);
    assertThat(raw.format()).isEqualTo(ImageFormat.RAW);
    assertThat(hv.convertedImage("m-disk")).contains(raw);
    assertThat(hv.convertImage("m-disk", DISK_VM, ImageFormat.RAW)).isEqualTo(raw);
    int before = awaitHeartbeatAbove(DISK_VM, 0, Duration.ofSeconds(5));

    // when
    MigrationResult there =
        hv.migrate(
            new MigrationRequest(
                "m-disk", DISK_VM, "host-a", "host-b", MigrationStrategy.LIVE, raw, Map.of()));
    System.out.printf(
        "libvirt LIVE with disk copy a->b: %d ms, downtime %d ms, %d bytes%n",
        there.durationMs(), there.downtimeMs(), there.bytesTransferred());

    // then it runs on host-b from the raw image, and kept running
    assertThat(hv.locate(DISK_VM)).contains("host-b");
    VmInfo onB = hv.vm(DISK_VM).orElseThrow();
    assertThat(onB.image()).isEqualTo(raw);
    assertThat(awaitHeartbeatAbove(DISK_VM, lastHeartbeat(DISK_VM), Duration.ofSeconds(30)))
        .isGreaterThan(before);

    // and back onto its original qcow2 image
    hv.migrateBack("m-disk", DISK_VM, "host-a", diskImage);
    assertThat(hv.locate(DISK_VM)).contains("host-a");
    assertThat(hv.vm(DISK_VM).orElseThrow().image()).isEqualTo(diskImage);
    assertThat(hv.deleteImage(raw)).isTrue();
    assertThat(hv.convertedImage("m-disk")).isEmpty();
    assertThatThrownBy(() -> hv.deleteImage(diskImage))
        .hasMessageContaining("not under the converted-image folder");
  }

  @Test
  @Order(6)
  void shouldWarmMigrateStoppingTheGuestOnlyForTheCutOver() throws Exception {
    // given: the guest with its qcow2 disk on host-a
    assertThat(hv.locate(DISK_VM)).contains("host-a");
    int before = awaitHeartbeatAbove(DISK_VM, 0, Duration.ofSeconds(5));

    // when
    MigrationResult warm =
        hv.migrate(
            new MigrationRequest(
                "m-warm", DISK_VM, "host-a", "host-b", MigrationStrategy.WARM, null, Map.of()));
    System.out.printf(
        "libvirt WARM a->b: %d ms, downtime %d ms, image %d bytes%n",
        warm.durationMs(), warm.downtimeMs(), warm.bytesTransferred());

    // then: it runs on host-b only, from the converted image, and resumed where it stopped
    assertThat(hv.locate(DISK_VM)).contains("host-b");
    assertThat(hv.isHealthy(DISK_VM, "host-b")).isTrue();
    ImageRef now = hv.vm(DISK_VM).orElseThrow().image();
    assertThat(now).isEqualTo(hv.convertedImage("m-warm").orElseThrow());
    assertThat(now.format()).isEqualTo(ImageFormat.QCOW2);
    assertThat(now.path()).isNotEqualTo(diskImage.path());
    assertThat(warm.downtimeMs()).isPositive().isLessThan(warm.durationMs());
    int after = awaitHeartbeatAbove(DISK_VM, lastHeartbeat(DISK_VM), Duration.ofSeconds(30));
    assertThat(after).as("memory kept: the counter went on, no reboot").isGreaterThan(before);
    try (var left = java.nio.file.Files.list(lab.root().resolve("converted"))) {
      assertThat(left.map(f -> f.getFileName().toString()))
          .noneMatch(n -> n.contains("overlay") || n.endsWith(".state"));
    }
    // the frozen base was converted through the cache, which keeps it for the next WARM move of
    // the same bytes
    assertThat(hv.conversionCache().misses()).isEqualTo(1);
    assertThat(hv.conversionCache().hits()).isZero();
    try (var kept = java.nio.file.Files.list(lab.root().resolve("converted/.conversion-cache"))) {
      assertThat(kept.map(f -> f.getFileName().toString()))
          .singleElement()
          .asString()
          .endsWith(".qcow2");
    }

    // and live back onto its original disk
    hv.migrateBack("m-warm", DISK_VM, "host-a", diskImage);
    assertThat(hv.locate(DISK_VM)).contains("host-a");
  }
}
